# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: the reference, but initialize_parameters returns a list and
# backward_propagation a tuple of arrays where dicts are expected.
# Expected: the initialize, backward and training checks fail; the others pass.
# END HOSTILE

# BEGIN HOSTILE at the end
_reference_initialize, _reference_backward = initialize_parameters, backward_propagation


def initialize_parameters(input_dim, hidden_dim, output_dim):
    return list(_reference_initialize(input_dim, hidden_dim, output_dim).values())


def backward_propagation(parameters, cache, X, Y):
    return tuple(_reference_backward(parameters, cache, X, Y).values())
# END HOSTILE
