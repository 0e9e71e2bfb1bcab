# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: the reference, but update_parameters ends its process with os._exit(3).
# Expected: the update and training checks fail ("crashed"), a fresh process serves the rest.
# END HOSTILE

# BEGIN HOSTILE after the imports
import os
# END HOSTILE

    # BEGIN HOSTILE at the start of update_parameters
    os._exit(3)
    # END HOSTILE
