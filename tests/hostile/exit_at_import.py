# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: the reference, then sys.exit(3) at import.
# Expected: it cannot be loaded; the grading goes on.
# END HOSTILE

# BEGIN HOSTILE after the imports
import sys
# END HOSTILE

# BEGIN HOSTILE at the end
sys.exit(3)
# END HOSTILE
