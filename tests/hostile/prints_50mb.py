# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: the reference, but initialize_parameters prints about 50 MB per call.
# Expected: full marks; the captured output is truncated in the middle.
# END HOSTILE

    # BEGIN HOSTILE at the start of initialize_parameters
    print(("all work and no play " * 4 + "\n") * 600_000)
    # END HOSTILE
