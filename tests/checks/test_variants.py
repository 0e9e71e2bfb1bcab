"""Variants: every known mistake loses points where it is; correct rewrites keep full marks.

- ``solutions/mistakes.py``: each known mistake put into the reference;
- ``tests/variants/buggy/``: mistakes that are not one-snippet edits, written by hand: each
  file holds only the functions it gets wrong, put into the reference by ``variants.build``;
- ``tests/variants/correct/``: the six functions written correctly but differently from the
  reference, assembled the same way.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader.contract import REFERENCE_FILE, TODO_FUNCTIONS, TRAINING
from grader.formats import terminal
from grader.reference import apply_mistake, load_mistakes
from tests.variants.build import REFERENCE as REFERENCE_EXAMPLE
from tests.variants.build import assemble, source
from tests.variants.corpus import BUGGY_NEEDLES

VARIANTS = Path(__file__).resolve().parents[1] / "variants"
CORRECT = sorted((VARIANTS / "correct").glob("*.py"))
BUGGY_DIR = VARIANTS / "buggy"
MISTAKES = load_mistakes(REFERENCE_FILE)
SOURCE = REFERENCE_FILE.read_text(encoding="utf-8")


# ------------------------------------------------------------------ known mistakes


def test_there_are_at_least_twenty_known_mistakes_with_unique_names():
    names = [m.name for m in MISTAKES]
    assert len(names) >= 20
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_mistake_snippet_occurs_exactly_once_in_the_solution(mistake):
    assert SOURCE.count(mistake.find) == 1


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_mistake_edits_inside_its_own_function(mistake):
    """The snippet sits in the body of the function the mistake is filed under."""
    start = SOURCE.index(f"def {mistake.function}(")
    end = SOURCE.find("\ndef ", start + 1)
    assert mistake.find in SOURCE[start:end if end != -1 else None]


@pytest.fixture(scope="module")
def mistakes_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mistakes")


@pytest.fixture
def mistaken_file(mistakes_dir, request) -> Path:
    """The reference with one mistake put in; one file per mistake, so its report is graded once."""
    mistake = request.param
    variant = apply_mistake(SOURCE, mistake)
    assert variant != SOURCE  # the edit changes the program, so a loss of points is its doing
    path = mistakes_dir / mistake.name / "two_layer_net.py"
    if not path.is_file():
        path.parent.mkdir()
        path.write_text(variant, encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("mistaken_file, mistake", [(m, m) for m in MISTAKES], indirect=["mistaken_file"],
                         ids=[m.name for m in MISTAKES])
def test_known_mistake_loses_points_on_its_function(grade, mistaken_file, mistake):
    report = grade(mistaken_file, hidden=True)
    assert report.status == "ok"
    assert 0 < report.score < report.max_score, terminal.render(report)
    own_failures = [r for r in report.results if not r.passed and r.name.startswith(f"{mistake.function}: ")]
    assert own_failures, terminal.render(report)


@pytest.mark.slow
@pytest.mark.parametrize("mistaken_file, mistake", [(m, m) for m in MISTAKES], indirect=["mistaken_file"],
                         ids=[m.name for m in MISTAKES])
def test_known_mistake_costs_no_points_elsewhere(grade, mistaken_file, mistake):
    """Checks of other functions still pass: backward checks get the reference cache, and only
    training composes functions (the backward check on the student's own forward + cost falls back
    to the reference loss when forward or cost is wrong, so a correct backward keeps its point)."""
    report = grade(mistaken_file, hidden=True)
    composed = {TRAINING}
    elsewhere = [r for r in report.results if not r.passed and r.function != mistake.function
                 and not any(r.name.startswith(prefix) for prefix in composed)]
    assert not elsewhere, terminal.render(report)


# ------------------------------------------------------------------ hand-written bugs

# file -> (the function whose check must fail, words its message must contain): the corpus's needles
BUGGY = BUGGY_NEEDLES


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_a_buggy_variant_changes_only_the_functions_it_defines(name):
    """Assembled, it is the reference with exactly its own functions swapped in."""
    def functions(text: str) -> dict[str, str]:
        return {n.name: ast.unparse(n) for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)}

    own = functions((BUGGY_DIR / name).read_text(encoding="utf-8"))
    reference = functions(REFERENCE_EXAMPLE.read_text(encoding="utf-8"))
    assembled = functions(source(BUGGY_DIR / name))
    assert own and set(own) <= set(reference)
    assert assembled == reference | own


def test_every_buggy_variant_file_is_listed():
    assert sorted(p.name for p in BUGGY_DIR.glob("*.py")) == sorted(BUGGY)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_variant_loses_points_on_its_function(grade, name, tmp_path):
    function, words = BUGGY[name]
    report = grade(assemble(BUGGY_DIR / name, tmp_path), hidden=True)
    assert report.status == "ok"
    assert 0 < report.score < report.max_score, terminal.render(report)
    own_failures = [r for r in report.results if not r.passed and r.name.startswith(f"{function}: ")]
    assert own_failures, terminal.render(report)
    for result in own_failures:
        assert "could not be judged" not in result.output, result.output
    if words:
        assert any(words in r.output for r in own_failures), terminal.render(report)


def test_a_cost_of_the_wrong_type_costs_points_on_compute_cost_only(grade, tmp_path):
    """Training never reads the cost, so a (1, 1) array instead of a float must not fail training."""
    report = grade(assemble(BUGGY_DIR / "cost_1x1_array.py", tmp_path), hidden=True)
    failed_functions = {r.function for r in report.results if not r.passed}
    assert failed_functions == {"compute_cost"}, terminal.render(report)


# ------------------------------------------------------------------ one root cause, one message, fair points

STRUCTURE_NOTE = "not compared (shape {}): see the structure check."


def points(report, function: str, public_only: bool = False) -> tuple[float, float]:
    results = [r for r in report.results if r.function == function and not (public_only and r.hidden)]
    return sum(r.score for r in results), sum(r.max_score for r in results)


def results_of(report, function: str) -> dict[str, object]:
    return {r.name.split(": ", 1)[1]: r for r in report.results if r.function == function}


def assert_shape_reported_once(report, function: str, shape_words: str) -> None:
    """The structure check carries the shape message; no other check repeats it, and each other
    failing check of the function says in one short line where to look."""
    results = results_of(report, function)
    structure = [r for name, r in results.items() if name.startswith("structure")]
    assert structure and all(not r.passed and shape_words in r.output for r in structure), terminal.render(report)
    others = [r for name, r in results.items() if not name.startswith("structure") and not r.passed]
    for result in others:
        assert shape_words not in result.output, result.output


@pytest.mark.slow
def test_one_wrong_gradient_shape_costs_only_what_it_breaks(grade, tmp_path):
    """db1 summed over the wrong axis: the structure check says so, dW1, dW2 and db2 keep their
    numerical-gradient points, every check that needs db1 points at the structure check."""
    report = grade(assemble(BUGGY_DIR / "backward_db1_wrong_axis.py", tmp_path), hidden=True)
    assert_shape_reported_once(report, "backward_propagation", "db1 should have shape (1, 4); got (5, 1)")
    results = results_of(report, "backward_propagation")
    for grad in ("dW1", "dW2", "db2"):
        numerical = [r for name, r in results.items() if name.startswith(f"{grad} matches")]
        assert numerical and all(r.passed for r in numerical), terminal.render(report)
    failed = [r for r in results.values() if not r.passed and not r.name.split(": ", 1)[1].startswith("structure")]
    assert failed and all("db1 is not compared (shape (" in r.output and "see the structure check." in r.output
                          for r in failed), terminal.render(report)
    assert STRUCTURE_NOTE.format("(5, 1)") in results["values on X (5, 2), n_h 4"].output
    assert points(report, "backward_propagation", public_only=True) == (6, 17)
    assert points(report, "backward_propagation") == (9, 28)


@pytest.mark.slow
@pytest.mark.parametrize("name, function, entry, judged", [
    ("forward_a1_transposed_in_cache.py", "forward_propagation", "A1", "Z1, Z2, A2 agree with the reference"),
])
def test_a_wrong_entry_shape_is_reported_by_the_structure_check_only(grade, tmp_path, name, function, entry, judged):
    report = grade(assemble(BUGGY_DIR / name, tmp_path), hidden=True)
    assert_shape_reported_once(report, function, "should have shape")
    values = [r for n, r in results_of(report, function).items() if n.startswith("values")]
    assert values and all(f"{judged}; {entry} is not compared (shape (" in r.output
                          and "see the structure check." in r.output for r in values), terminal.render(report)
    assert {r.function for r in report.results if not r.passed} <= {function, TRAINING}


@pytest.mark.slow
def test_a_flat_bias_at_initialisation_keeps_the_seeded_weight_points(grade, tmp_path):
    report = grade(assemble(BUGGY_DIR / "init_b1_flat.py", tmp_path), hidden=True)
    assert_shape_reported_once(report, "initialize_parameters", "b1 should have shape (1, 4); got (4,)")
    structure_points = sum(r.max_score for r in report.results if r.name.startswith("initialize_parameters: structure"))
    total = points(report, "initialize_parameters")
    assert total == (total[1] - structure_points, total[1]), terminal.render(report)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["cost_1x1_array.py", "cost_item_array.py"])
def test_a_right_cost_of_the_wrong_type_fails_only_returns_a_float(grade, tmp_path, name):
    report = grade(assemble(BUGGY_DIR / name, tmp_path), hidden=True)
    failed = [r for r in report.results if not r.passed]
    assert [r.name for r in failed] == ["compute_cost: returns a float on A2, Y (5, 1)"], terminal.render(report)
    assert "cost.item()" in failed[0].output
    assert points(report, "compute_cost") == (10, 12)


def test_the_float_hint_converts_a_cost_on_the_installed_numpy():
    """The conversions the hint names, run on the NumPy the kit installs (NumPy 2 refuses float()
    of a (1, 1) array), turn every one-element cost into a Python float."""
    import re

    import numpy as np

    from grader.checks.base import Fail
    from grader.checks.judge import expect_float

    for cost in (np.array([[0.25]]), np.array([0.25]), np.array(0.25), np.array([[0.25]], dtype=np.float32)):
        with pytest.raises(Fail) as failure:
            expect_float(cost, "the cost")
        message = str(failure.value)
        conversions = re.findall(r"(?:float\(np\.squeeze\(cost\)\)|cost\.item\(\))", message)
        assert set(conversions) == {"cost.item()", "float(np.squeeze(cost))"}, message
        assert "float(cost)" not in message.replace("float(cost) of a (1, 1) array fails", "")
        for conversion in conversions:
            value = eval(conversion, {"np": np, "cost": cost})  # noqa: S307 - our own hint's code
            assert type(value) is float and value == 0.25
            assert expect_float(value, "the cost") == 0.25


@pytest.mark.slow
def test_a_wrong_cost_leaves_a_correct_backward_all_its_points(grade, tmp_path):
    report = grade(assemble(BUGGY_DIR / "cost_sum_keeps_backward_points.py", tmp_path), hidden=True)
    assert points(report, "backward_propagation")[0] == points(report, "backward_propagation")[1] > 0
    own = [r for r in report.results if "your own forward + cost" in r.name]
    assert own and all("reference's loss instead: they agree" in r.output for r in own), terminal.render(report)
    assert {r.function for r in report.results if not r.passed} == {"compute_cost"}


@pytest.mark.slow
def test_an_outer_product_is_not_blamed_on_a_flat_y(grade, tmp_path):
    report = grade(assemble(BUGGY_DIR / "cost_outer_product.py", tmp_path), hidden=True)
    message = results_of(report, "compute_cost")["returns a float on A2, Y (5, 1)"].output
    assert "outer product" in message and "keep Y of shape" not in message


# ------------------------------------------------------------------ correct rewrites


def test_there_are_at_least_eight_correct_variants():
    assert len(CORRECT) >= 8


@pytest.mark.slow
@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_variant_scores_full_marks(grade, path, tmp_path):
    own = {n.name for n in ast.parse(path.read_text(encoding="utf-8")).body if isinstance(n, ast.FunctionDef)}
    assert set(TODO_FUNCTIONS) <= own  # all six written its own way; only the given ones come from the reference
    assembled = assemble(path, tmp_path)
    assert assembled.read_text(encoding="utf-8") != REFERENCE_EXAMPLE.read_text(encoding="utf-8")
    report = grade(assembled, hidden=True)
    assert report.all_passed, terminal.render(report)
    assert report.score == report.max_score > 0
