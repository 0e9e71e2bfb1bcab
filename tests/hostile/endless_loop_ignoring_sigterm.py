# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: the reference, but it ignores SIGTERM and forward_propagation loops
# forever on one public input, X (7, 3).
# Expected: that check fails with a timeout; the process is killed; the rest pass.
# END HOSTILE

# BEGIN HOSTILE after the imports
import signal

signal.signal(signal.SIGTERM, signal.SIG_IGN)
# END HOSTILE

    # BEGIN HOSTILE at the start of forward_propagation
    if X.shape == (7, 3):
        while True:
            pass
    # END HOSTILE
