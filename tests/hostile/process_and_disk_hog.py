# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: the reference, but at import it starts up to 400 processes that each
# hold 64 MB (several GB in all), fills its scratch folder with up to 3 GB of 64 MB files,
# then makes its folders read-only so that they cannot be cleaned up.
# Expected: full marks for itself (its own process survives), the processes and the scratch
# folder stop at the per-submission limits, neighbours keep full marks, nothing is left.
# END HOSTILE

# BEGIN HOSTILE at the end
import os as _os
import time as _time

_HOG = {"processes": 0, "fork": "", "written": 0, "write": ""}


def _hog():
    for _ in range(400):
        ready, done = _os.pipe()
        try:
            pid = _os.fork()
        except OSError as error:
            _HOG["fork"] = str(error)
            break
        if pid == 0:
            held = b"x" * (64 << 20)  # touched, so it is really in memory
            _os.write(done, b"1")
            _time.sleep(600)
            _os._exit(len(held) and 0)
        _os.close(done)
        _os.read(ready, 1)  # one at a time: it holds its 64 MB (or was killed for it) before the next
        _os.close(ready)
        _HOG["processes"] += 1
    block = b"y" * (1 << 20)  # small: this process stays smaller than the ones it started
    try:
        _os.mkdir("fill")
        for number in range(48):
            with open(f"fill/{number}.bin", "wb") as handle:
                for _ in range(64):
                    handle.write(block)
                    _HOG["written"] += len(block)
    except OSError as error:
        _HOG["write"] = str(error)
    try:
        _os.chmod("fill", 0o500)
        _os.chmod(".", 0o500)
    except OSError:
        pass
    print(f"hostile: hog: {_HOG}", flush=True)


_hog()


def sandbox_report():
    """Not part of the assignment: how far it got, for the kit's tests."""
    return _HOG
# END HOSTILE
