"""Verdicts do not depend on the draw: under any course secret, correct code keeps full marks and
every known mistake loses points on its own function.

Grading asks every check on inputs drawn from the course's secret, so a check that only holds on
the practice inputs (a tolerance that a tiny entry breaks, a threshold the reference itself
misses on some data) would take points from correct code in some courses and not others.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.bridge.inprocess import InProcessBridge, load_submission
from grader.checks import Draw, catalogue
from grader.contract import REFERENCE_FILE
from grader.formats import terminal
from grader.reference import LiveReference, apply_mistake, load_mistakes
from grader.results import Report
from grader.runner import run_checks
from tests.variants.build import assemble

SECRETS = [f"a course secret, number {n}".encode() for n in range(4)]
CORRECT = sorted((Path(__file__).resolve().parents[1] / "variants" / "correct").glob("*.py"))
MISTAKES = load_mistakes(REFERENCE_FILE)

pytestmark = pytest.mark.slow  # every check, under four secrets, on every correct variant and known mistake


@pytest.fixture(scope="module")
def grade_on():
    """grade_on(secret, path) -> Report: every check on that secret's grading draw, in this process."""
    references: dict[bytes, LiveReference] = {}

    def grade(secret: bytes, path: Path) -> Report:
        reference = references.setdefault(secret, LiveReference(REFERENCE_FILE))
        checks = catalogue(include_hidden=True, draw=Draw.secret("grading", secret))
        return run_checks(InProcessBridge(load_submission(path)), checks, lambda check: reference)

    return grade


@pytest.mark.parametrize("secret", SECRETS, ids=range(len(SECRETS)))
def test_correct_code_keeps_full_marks_under_any_draw(secret, grade_on, tmp_path):
    for path in [REFERENCE_FILE, *(assemble(variant, tmp_path / variant.stem) for variant in CORRECT)]:
        report = grade_on(secret, path)
        assert report.all_passed, f"{path.name}\n{terminal.render(report)}"


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_a_known_mistake_loses_points_on_its_function_under_a_drawn_draw(mistake, grade_on, tmp_path):
    path = tmp_path / "two_layer_net.py"
    path.write_text(apply_mistake(REFERENCE_FILE.read_text(encoding="utf-8"), mistake), encoding="utf-8")
    report = grade_on(SECRETS[0], path)
    own = [r for r in report.results if not r.passed and r.function == mistake.function]
    assert own, terminal.render(report)
