"""The training routine's record of every step (``routines.train``'s trace), on fake student functions
whose steps are known: each update subtracts 1 from every parameter."""
from __future__ import annotations

import numpy as np

from grader.bridge.routines import train

N_IN, N_H = 2, 3


def fake_student(batches_per_epoch: int, change_shape_at: int | None = None, as_lists: bool = False):
    """call(name, *args) of a student whose update subtracts 1 (the ``change_shape_at``-th update returns b1
    flattened); ``batch_generator`` yields ``batches_per_epoch`` batches whatever the data."""
    updates = [0]

    def call(name, *args):
        if name == "initialize_parameters":
            return {"W1": np.zeros((N_IN, N_H)), "b1": np.zeros((1, N_H)), "W2": np.zeros((N_H, 1)),
                    "b2": np.zeros((1, 1))}
        if name == "batch_generator":
            X, Y, _size = args
            return iter([(X[:2], Y[:2])] * batches_per_epoch)
        if name == "forward_propagation":
            return np.full((len(args[0]), 1), 0.5), {}
        if name == "compute_cost":
            return 0.7
        if name == "backward_propagation":
            return {}
        if name == "update_parameters":
            updates[0] += 1
            new = {key: np.asarray(value) - 1 for key, value in args[0].items()}
            if change_shape_at is not None and updates[0] == change_shape_at:
                new["b1"] = np.zeros(N_H)  # (n_h,): it would fit a (1, n_h) row silently
            return {key: value.tolist() for key, value in new.items()} if as_lists else new
        raise AssertionError(name)

    return call


def run(call, epochs: int = 3):
    X, Y = np.zeros((10, N_IN)), np.zeros((10, 1))
    return train(call, X, Y, None, seed=0, n_hidden=N_H, n_epochs=epochs, batch_size=5, learning_rate=0.1)


def test_the_trace_holds_the_parameters_before_the_first_step_and_after_each():
    claim = run(fake_student(batches_per_epoch=2))
    trace = claim["trace"]
    assert trace["W1"].shape == (7, N_IN, N_H)  # 3 epochs of 2 steps, and the start
    for step in range(7):
        assert np.all(trace["W1"][step] == -step) and np.all(trace["b2"][step] == -step)
    assert list(claim["batches"]) == [2, 2, 2] and np.all(claim["final"]["W2"] == -6)


def test_more_steps_than_the_batch_size_allows_are_all_recorded():
    claim = run(fake_student(batches_per_epoch=9))  # 10 samples in batches of 5 make 2; this student yields 9
    assert len(claim["trace"]["b1"]) == 28 and np.all(claim["trace"]["b1"][27] == -27)


def test_parameters_returned_as_lists_are_recorded_by_their_shapes():
    claim = run(fake_student(batches_per_epoch=2, as_lists=True), epochs=1)
    assert np.all(claim["trace"]["W1"][2] == -2)


def test_a_step_that_changes_a_shape_leaves_no_trace_but_the_run_goes_on():
    claim = run(fake_student(batches_per_epoch=2, change_shape_at=3))
    assert claim["trace"] is None
    assert np.shape(claim["final"]["b1"]) == (N_H,) and list(claim["batches"]) == [2, 2, 2]
