# BUILT ON examples/submissions/stub.py

# BEGIN HOSTILE at the top
# Hostile submission: implements nothing; every function returns zeros (or a zero loss) of the
# shapes the docstrings give, and batch_generator yields zero batches of the right shapes.
# Expected: the structure checks' points and nothing else (a constant loss earns no
# gradient-consistency points, unchanged inputs earn nothing while the values are wrong).
# END HOSTILE

    # BEGIN HOSTILE at the start of initialize_parameters
    return {"W1": np.zeros((input_dim, hidden_dim)), "b1": np.zeros((1, hidden_dim)),
            "W2": np.zeros((hidden_dim, output_dim)), "b2": np.zeros((1, output_dim))}
    # END HOSTILE

    # BEGIN HOSTILE at the start of forward_propagation
    m, n_h, n_out = X.shape[0], parameters["W1"].shape[1], parameters["W2"].shape[1]
    A2 = np.zeros((m, n_out))
    return A2, {"Z1": np.zeros((m, n_h)), "A1": np.zeros((m, n_h)), "Z2": np.zeros((m, n_out)), "A2": A2}
    # END HOSTILE

    # BEGIN HOSTILE at the start of compute_cost
    return 0.0
    # END HOSTILE

    # BEGIN HOSTILE at the start of backward_propagation
    return {"d" + k: np.zeros_like(v) for k, v in parameters.items()}
    # END HOSTILE

    # BEGIN HOSTILE at the start of update_parameters
    return {k: np.zeros_like(v) for k, v in parameters.items()}
    # END HOSTILE

    # BEGIN HOSTILE at the start of batch_generator
    for _ in range(X.shape[0] // batch_size):
        yield np.zeros((batch_size, X.shape[1])), np.zeros((batch_size, 1))
    return
    # END HOSTILE
