# BUILT ON examples/submissions/bug_update_plus.py

# BEGIN HOSTILE at the top
# Hostile submission: update_parameters steps the wrong way, and initialize_parameters returns
# the reference's trained parameters for the handout's run (they ship in the student kit's
# practice fixtures) whenever it is asked for a (2, 4, 1) network, so that a training run that
# starts there ends near them.
# Expected: exactly the points of the same bug without the trained parameters: grading trains
# from weights the grader chose, on data the student never saw, and asks initialize_parameters
# other sizes than the practice ones.
# END HOSTILE

    # BEGIN HOSTILE at the start of initialize_parameters
    if (input_dim, hidden_dim, output_dim) == (2, 4, 1):
        return {name: np.array(value) for name, value in _TRAINED.items()}
    # END HOSTILE

# BEGIN HOSTILE at the end
_TRAINED = {
    "W1": [[0.9631835351297088, 3.0131040999446768, -3.518609774293307, 3.191321883722633],
           [-0.9436818987080279, -1.6743244170509726, 2.6621394698658367, 1.8012892228633948]],
    "b1": [[-1.1491590228543023, -3.796439835691814, -1.9034698055234687, -1.9584737796737635]],
    "W2": [[1.9614835999901943], [4.710696969958742], [-5.294192320928925], [-5.79834550184546]],
    "b2": [[0.8666228127979343]],
}
# END HOSTILE
