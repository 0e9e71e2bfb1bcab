# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: the reference, but compute_cost sleeps for 600 s on one public
# input, Y (64, 1).
# Expected: that check fails with a timeout; a fresh process serves the rest.
# END HOSTILE

# BEGIN HOSTILE after the imports
import time
# END HOSTILE

    # BEGIN HOSTILE at the start of compute_cost
    if Y.shape[0] == 64:
        time.sleep(600)
    # END HOSTILE
