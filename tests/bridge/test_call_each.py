"""``Bridge.call_each`` with results handed on (``Earlier``): both transports hand a later call the
very object an earlier call returned, send back only what ``keep`` names, and skip (never guess) a
call whose reference cannot be followed."""
from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from grader.bridge.inprocess import InProcessBridge
from grader.bridge.isolated import IsolatedBridge
from grader.values import Earlier, is_unresolved
from tests.bridge.bridge_support import CALL_TIMEOUT

SOURCE = """
import numpy as np

CALLED = []

def batches(m):
    for start in range(0, m, 2):
        yield np.arange(start, start + 2.0), np.array([start])

def listed(m):
    return [(np.zeros(1), np.zeros(1))] * m

def first_entry(x):
    return float(x[0])

def make():
    return {"a": np.zeros(2)}

def bump(state):
    state["a"] += 1.0
    return state["a"].copy()

def number():
    return 7.0

def recorded(x):
    CALLED.append(x)
    return x

def times_called():
    return len(CALLED)

def draw():
    return np.random.rand(2)
"""


@pytest.fixture(params=["in-process", "isolated"])
def bridge(request, tmp_path: Path, scratch_root: Path):
    path = tmp_path / "two_layer_net.py"
    path.write_text(textwrap.dedent(SOURCE))
    if request.param == "in-process":
        yield InProcessBridge.from_file(path)
        return
    with IsolatedBridge(path, call_timeout=CALL_TIMEOUT) as isolated:
        yield isolated


def test_a_later_call_gets_part_of_a_generator_s_items(bridge):
    got = bridge.call_each([("batches", (6,)), ("first_entry", (Earlier(0, (1, 0)),)),
                            ("first_entry", (Earlier(0, (2, 1)),))], keep=[1, 2])
    assert got == [2.0, 4.0]  # the second batch's X starts at 2; the third batch's Y is [4]


def test_the_object_itself_is_handed_on_not_a_copy(bridge):
    got = bridge.call_each([("make", ()), ("bump", (Earlier(0),)), ("bump", (Earlier(0),))], keep=[1, 2])
    assert [list(a) for a in got] == [[1.0, 1.0], [2.0, 2.0]]  # a copy each time would give 1 twice


def test_keep_sends_back_in_its_own_order_and_counts_a_generator_s_items(bridge):
    got = bridge.call_each([("number", ()), ("batches", (7,)), ("listed", (3,))],
                           keep=[Earlier(1, length=True), 0, Earlier(1, (3, 1)), Earlier(2, length=True)])
    count, number, last_y, not_a_generator = got
    assert count == 4 and number == 7.0 and list(last_y) == [6]
    assert is_unresolved(not_a_generator)  # a list is not a generator: nothing is counted for it


@pytest.mark.parametrize("reference", [Earlier(0, (1,)), Earlier(0, ("a",)), Earlier(2), Earlier(5)])
def test_a_call_whose_reference_cannot_be_followed_is_not_made(bridge, reference):
    """Into a number, by a key it does not have, from a later call, or from a call that does not exist."""
    got = bridge.call_each([("number", ()), ("recorded", (reference,)), ("times_called", ()),
                            ("recorded", (Earlier(1),))], keep=[1, 2, 3])
    skipped, called, depending = got
    assert is_unresolved(skipped) and called == 0
    assert is_unresolved(depending)  # a call handed a skipped result is skipped too


def test_kept_results_are_copied_when_they_are_made(bridge):
    """A result sent back is what the call returned, even when a later call changes the object."""
    got = bridge.call_each([("make", ()), ("bump", (Earlier(0),))], keep=[0, 1])
    assert list(got[0]["a"]) == [0.0, 0.0] and list(got[1]) == [1.0, 1.0]


def test_the_seed_is_set_once_before_the_first_call(bridge):
    first, second = bridge.call_each([("draw", ()), ("draw", ())], seed=5)
    np.random.seed(5)
    assert np.array_equal(first, np.random.rand(2)) and np.array_equal(second, np.random.rand(2))
