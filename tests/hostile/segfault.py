# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: the reference, but batch_generator crashes its process with a
# segmentation fault on one public input, X (64, 3).
# Expected: that check fails ("crashed"); a fresh process serves the rest.
# END HOSTILE

# BEGIN HOSTILE after the imports
import ctypes
# END HOSTILE

    # BEGIN HOSTILE at the start of batch_generator
    if X.shape[0] == 64:
        ctypes.string_at(0)
    # END HOSTILE
