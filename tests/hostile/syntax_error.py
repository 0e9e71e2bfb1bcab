# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: the reference with one syntax error (a missing colon).
# Expected: it cannot be loaded; every check fails with one clear line.
# END HOSTILE

# BEGIN HOSTILE at the end
def helper(x)
    return x
# END HOSTILE
