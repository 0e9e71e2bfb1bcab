# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: the reference, but at import it starts `sleep 600` in a new session
# and a double-forked daemon (new session, parent gone, working directory /) that sleeps too.
# Where new sessions are refused (the sealed worker), both are started without one.
# Expected: full marks, and neither process is left once the submission is graded.
# END HOSTILE

# BEGIN HOSTILE after the imports
import os
import signal
import subprocess
import time
# END HOSTILE

# BEGIN HOSTILE at the end
try:
    _sleeper = subprocess.Popen(["sleep", "600"], start_new_session=True)
    print("hostile: new session allowed", flush=True)
except (OSError, subprocess.SubprocessError) as _refused:
    print(f"hostile: new session refused ({_refused})", flush=True)
    _sleeper = subprocess.Popen(["sleep", "600"])
print(f"hostile: sleeper {_sleeper.pid}", flush=True)
_middle = os.fork()
if _middle == 0:
    try:
        os.setsid()
    except OSError:
        pass
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.chdir("/")
        print(f"hostile: daemon {os.getpid()}", flush=True)
        time.sleep(600)
    os._exit(0)
os.waitpid(_middle, 0)
# END HOSTILE
