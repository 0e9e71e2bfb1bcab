# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: the reference, but forward_propagation, compute_cost and
# backward_propagation return NaN values of the right types and shapes.
# Expected: the checks of those three functions and training fail; the others pass.
# END HOSTILE

    # BEGIN HOSTILE at the start of forward_propagation
    m, n_h, n_out = X.shape[0], parameters["W1"].shape[1], parameters["W2"].shape[1]
    return np.full((m, n_out), np.nan), {
        "Z1": np.full((m, n_h), np.nan), "A1": np.full((m, n_h), np.nan),
        "Z2": np.full((m, n_out), np.nan), "A2": np.full((m, n_out), np.nan),
    }
    # END HOSTILE

    # BEGIN HOSTILE at the start of compute_cost
    return float("nan")
    # END HOSTILE

    # BEGIN HOSTILE at the start of backward_propagation
    return {"d" + k: np.full_like(v, np.nan) for k, v in parameters.items()}
    # END HOSTILE
