"""The redesigned hidden training checks change no verdict: graded with today's catalogue, every correct
variant keeps full marks and every known bug still loses points in every function it lost points in
under the catalogue of commit 24a2a9f (``verdicts_24a2a9f.json``, recorded by ``tests/checks/verdicts.py``
from that commit's code: three 1000-sample, 100-epoch hidden moons runs, before they became shorter runs on
other data). A bug may now lose points in more functions (the new runs catch a partial last batch, a
batch size written as a number): that is allowed, never asserted against.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.checks.verdicts import grade_all

BEFORE = json.loads((Path(__file__).resolve().parent / "verdicts_24a2a9f.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.slow  # every known submission (about 115), every check, on a grading draw


@pytest.fixture(scope="module")
def now(tmp_path_factory) -> dict[str, dict]:
    return grade_all(tmp_path_factory.mktemp("verdicts"))


def test_the_same_submissions_are_graded_as_were_recorded(now):
    assert sorted(now) == sorted(BEFORE)


def test_correct_code_keeps_full_marks(now):
    correct = [name for name, before in BEFORE.items() if before["score"] == before["max_score"]]
    assert {"reference", "example/reference"} <= set(correct) and len(correct) >= 12
    assert {name: now[name]["failed"] for name in correct if now[name]["score"] != now[name]["max_score"]} == {}


def test_every_bug_still_loses_points_in_every_function_it_lost_points_in(now):
    escaped = {name: sorted(function for function, full in before["full"].items()
                            if not full and now[name]["full"][function])
               for name, before in BEFORE.items()}
    assert {name: functions for name, functions in escaped.items() if functions} == {}
    assert sum(1 for before in BEFORE.values() if before["score"] < before["max_score"]) >= 100
