# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: the reference, but initialize_parameters asks for 80 GB
# (np.ones((100000, 100000))) on one public input, sizes (3, 5, 2).
# Expected: MemoryError inside the child, that check fails, the grader is unharmed.
# END HOSTILE

    # BEGIN HOSTILE at the start of initialize_parameters
    if input_dim == 3:
        waste = np.ones((100_000, 100_000))
    # END HOSTILE
