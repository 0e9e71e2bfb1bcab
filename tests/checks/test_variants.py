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
    training and the backward check on the student's own forward + cost compose functions."""
    report = grade(mistaken_file, hidden=True)
    composed = {TRAINING}
    if mistake.function in ("forward_propagation", "compute_cost"):
        composed.add("backward_propagation: agrees with the numerical gradient of your own forward + cost")
    elsewhere = [r for r in report.results if not r.passed and r.function != mistake.function
                 and not any(r.name.startswith(prefix) for prefix in composed)]
    assert not elsewhere, terminal.render(report)


# ------------------------------------------------------------------ hand-written bugs

# file -> (the function whose check must fail, words its message must contain, or None
# where the grader shows the numbers without naming a mistake)
BUGGY = {
    "cost_flat_labels.py": ("compute_cost", None),
    "cost_1x1_array.py": ("compute_cost", "float"),
    "forward_clips_parameters.py": ("forward_propagation", "changed parameters['W1']"),
    "forward_cache_missing_key.py": ("forward_propagation", "missing Z2"),
    "forward_tanh_overwrites_z1.py": ("forward_propagation", "Z1: relative error"),
    "batches_returns_list.py": ("batch_generator", "use yield"),
    "update_weights_only.py": ("update_parameters", "b1: relative error"),
    "backward_mean_then_divide.py": ("backward_propagation", "m times too small"),
    "backward_sign_einsum.py": ("backward_propagation", "wrong sign"),
    "backward_sums_lose_rows.py": ("backward_propagation", "keepdims"),
}


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
