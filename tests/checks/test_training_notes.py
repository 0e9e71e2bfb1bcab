"""A training check that fails because the submission raised says which functions to fix first when
the function that raised is not the one to blame: update_parameters raises a broadcast error on the
wrongly shaped gradients of backward_propagation, and the training checks name backward_propagation,
whose own checks fail; they name no function whose checks pass.

The submissions are the reference with one line changed, graded as `backprop-lab check` grades.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader import i18n
from grader.contract import TRAINING
from grader.runner import check_file

RIGHT_DW1 = "dW1 = X.T @ dZ1 / m  # (n_in, n_h)"
WRONG_DW1 = "dW1 = X.T @ dZ1[:, :-1] / m  # one hidden unit short"  # dW1 (n_in, n_h - 1)


def edited(reference_file: Path, folder: Path, old: str, new: str) -> Path:
    source = reference_file.read_text(encoding="utf-8")
    assert source.count(old) == 1
    path = folder / "two_layer_net.py"
    path.write_text(source.replace(old, new), encoding="utf-8")
    return path


def training_outputs(path: Path, language: str) -> list[str]:
    with i18n.speaking(language):
        report = check_file(path)
    return [r.output for r in report.results if r.function == TRAINING and not r.passed]


@pytest.fixture(scope="module")
def wrong_dw1(reference_file, tmp_path_factory) -> Path:
    return edited(reference_file, tmp_path_factory.mktemp("wrong_dw1"), RIGHT_DW1, WRONG_DW1)


def test_a_crash_in_training_names_the_function_whose_checks_fail(wrong_dw1):
    outputs = training_outputs(wrong_dw1, "en")
    assert outputs and all(o.startswith("update_parameters raised `ValueError: operands could not be broadcast")
                           for o in outputs), outputs
    assert all(o.endswith("\nFix the checks of backward_propagation first: training calls it.") for o in outputs)


def test_the_note_is_chinese_under_zh(wrong_dw1):
    outputs = training_outputs(wrong_dw1, "zh")
    assert outputs and all(o.endswith("\n训练会调用 backward_propagation：请先修正其未通过的检查。") for o in outputs)


def test_no_function_is_named_whose_checks_pass(reference_file, tmp_path):
    """update_parameters itself is wrong (it raises on right gradients): no other function is to blame,
    and its own checks fail, so it alone is named."""
    path = edited(reference_file, tmp_path, 'grads["d" + name]', 'grads["d" + name].T')
    with i18n.speaking("en"):
        report = check_file(path)
    failing = {r.function for r in report.results if not r.passed} - {TRAINING}
    assert failing == {"update_parameters"}
    outputs = [r.output for r in report.results if r.function == TRAINING]
    assert outputs and all(o.endswith("\nFix the checks of update_parameters first: training calls it.")
                           for o in outputs), outputs


def test_a_training_failure_without_a_crash_gets_no_note(examples_dir):
    with i18n.speaking("en"):
        report = check_file(examples_dir / "bug_update_plus.py")
    outputs = [r.output for r in report.results if r.function == TRAINING and not r.passed]
    assert outputs and not any("training calls" in o for o in outputs)
