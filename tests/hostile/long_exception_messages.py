# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: forward_propagation raises an exception whose message holds every input
# it was given, many times over (a way to carry a grader's questions out in the feedback).
# Expected: forward_propagation's checks fail, each message cut to a few hundred characters.
# END HOSTILE

    # BEGIN HOSTILE at the start of forward_propagation
    raise ValueError(repr((X.tolist(), {k: v.tolist() for k, v in parameters.items()})) * 50)
    # END HOSTILE
