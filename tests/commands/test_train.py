"""`backprop-lab train`: trains with the file's own model, reports accuracy, writes three PNGs,
and turns unfinished or failing student code into one clear line with exit code 2."""
from __future__ import annotations

import contextlib
import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from grader import cli, handout
from grader.bridge.inprocess import MAX_CAPTURED_OUTPUT, InProcessBridge
from grader.bridge.own_model import run_own_model
from grader.checks import catalogue
from grader.contract import load_moons

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"
PLOT_NAMES = ("label_histogram.png", "loss_curve.png", "decision_boundary.png")
# The handout's data with n_hidden 4, 100 epochs, batch 32, learning rate 0.5: measured with
# scikit-learn's make_moons + train_test_split and the reference, independently of the kit.
REFERENCE_TEST_ACCURACY = 0.98
PUBLIC_CHECKS = catalogue(include_hidden=False)


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    plots_dir: Path


def run_train(path: Path, plots_dir: Path) -> Outcome:
    """`backprop-lab train PATH --plots DIR` in this process, through the real argument parser."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["train", str(path), "--plots", str(plots_dir)])
    return Outcome(code, out.getvalue(), err.getvalue(), plots_dir)


def variant(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of the reference submission with one piece of source text replaced."""
    source = (EXAMPLES / "reference.py").read_text()
    assert old in source, f"the reference no longer contains {old!r}"
    path = tmp_path / name
    path.write_text(source.replace(old, new, 1))
    return path


def error_lines(outcome: Outcome) -> list[str]:
    return [line for line in outcome.stderr.splitlines() if line.strip().startswith("error:")]


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    folder = tmp_path_factory.mktemp("reference")
    submission = folder / "two_layer_net.py"
    shutil.copy(EXAMPLES / "reference.py", submission)
    return run_train(submission, folder / "plots")


def test_reference_trains_and_exits_zero(reference_run: Outcome) -> None:
    assert reference_run.exit_code == 0, reference_run.stderr


def test_reference_reaches_the_handouts_test_accuracy(reference_run: Outcome) -> None:
    match = re.search(r"test accuracy:\s+([0-9.]+)", reference_run.stdout)
    assert match, reference_run.stdout
    assert float(match.group(1)) == pytest.approx(REFERENCE_TEST_ACCURACY, abs=1e-9)
    assert re.search(r"train accuracy:\s+[0-9.]+", reference_run.stdout)


def test_reference_writes_three_pngs_that_open_as_images(reference_run: Outcome) -> None:
    for name in PLOT_NAMES:
        path = reference_run.plots_dir / name
        assert path.is_file() and path.stat().st_size > 0, name
        image = imread(path)
        assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100, (name, image.shape)
        assert str(path) in reference_run.stdout  # the paths written are printed


def test_progress_shows_every_epoch_and_the_cost(reference_run: Outcome) -> None:
    assert "100/100" in reference_run.stderr
    assert re.search(r"cost=0\.\d{4}", reference_run.stderr)


def test_stub_names_initialize_parameters_without_a_traceback(tmp_path: Path) -> None:
    outcome = run_train(EXAMPLES / "stub.py", tmp_path / "plots")
    assert outcome.exit_code == 2
    assert len(error_lines(outcome)) == 1
    assert "initialize_parameters is not implemented yet" in outcome.stderr
    assert "backprop-lab check" in outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert not (tmp_path / "plots").exists()


def test_first_unwritten_function_is_named_when_earlier_ones_are_done(tmp_path: Path) -> None:
    body = "    W1, b1, W2, b2 = parameters[\"W1\"]"
    path = variant(tmp_path, "partial.py", body, "    raise NotImplementedError('write forward_propagation')\n" + body)
    outcome = run_train(path, tmp_path / "plots")
    assert outcome.exit_code == 2
    [line] = error_lines(outcome)
    assert "forward_propagation is not implemented yet" in line
    assert "initialize_parameters" not in outcome.stderr


def test_exception_in_student_code_gives_one_line_with_the_line_number(tmp_path: Path) -> None:
    path = variant(tmp_path, "transposed.py", "Z1 = X @ W1 + b1", "Z1 = X @ W1.T + b1")
    expected_line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "X @ W1.T" in text)
    outcome = run_train(path, tmp_path / "plots")
    assert outcome.exit_code == 2
    [line] = error_lines(outcome)
    assert "forward_propagation raised `ValueError: " in line  # the program's own message, quoted as code
    assert f"line {expected_line}" in line
    assert "Traceback" not in outcome.stderr


def test_missing_file_exits_2_with_one_line(tmp_path: Path) -> None:
    outcome = run_train(tmp_path / "nowhere.py", tmp_path / "plots")
    assert outcome.exit_code == 2
    [line] = error_lines(outcome)
    assert "no submission file" in line and "nowhere.py" in line


def test_nan_cost_warns_but_still_plots(tmp_path: Path) -> None:
    # gradient ascent: the cost blows up to inf/NaN within two epochs
    path = variant(tmp_path, "ascent.py", "parameters[name] - learning_rate", "parameters[name] + learning_rate")
    outcome = run_train(path, tmp_path / "plots")
    assert outcome.exit_code == 0, outcome.stderr
    assert "warning: the cost is not a finite number" in outcome.stderr
    assert all((tmp_path / "plots" / name).stat().st_size > 0 for name in PLOT_NAMES)


def test_student_prints_are_kept_off_the_terminal(tmp_path: Path) -> None:
    path = variant(tmp_path, "chatty.py", "        if print_cost:",
                   "        print('epoch done')\n        if print_cost:")
    outcome = run_train(path, tmp_path / "plots")
    assert outcome.exit_code == 0, outcome.stderr
    assert "epoch done" not in outcome.stdout + outcome.stderr
    assert "printed 100 lines" in outcome.stdout


def test_run_own_model_records_costs_and_restores_the_module() -> None:
    bridge = InProcessBridge.from_file(EXAMPLES / "reference.py")
    originals = (bridge.namespace["batch_generator"], bridge.namespace["compute_cost"])
    data = load_moons(42)
    epochs_seen: list[int] = []
    run = run_own_model(bridge, data.X_train, data.Y_train, data.X_test, data.Y_test,
                        on_epoch=lambda epoch, cost: epochs_seen.append(epoch))
    assert epochs_seen == list(range(1, 101))
    assert len(run.batch_costs) == 100 * (800 // 32)  # full batches only
    assert run.epoch_costs[0] == pytest.approx(np.mean(run.batch_costs[:25]))
    assert run.epoch_costs[-1] < run.epoch_costs[0]
    assert (bridge.namespace["batch_generator"], bridge.namespace["compute_cost"]) == originals


def test_every_hidden_line_is_counted_when_the_output_is_longer_than_what_is_kept(tmp_path: Path) -> None:
    # 100 epochs of 25 batches, one 80-character line per batch: 2,500 lines, far more than the
    # MAX_CAPTURED_OUTPUT characters ModelRun.output keeps
    path = variant(tmp_path, "verbose.py", "            cost = compute_cost(A2, Y_batch)\n",
                   "            cost = compute_cost(A2, Y_batch)\n            print('x' * 79)\n")
    outcome = run_train(path, tmp_path / "plots")
    assert outcome.exit_code == 0, outcome.stderr
    assert "printed 2500 lines while training; they were hidden" in outcome.stdout


def test_one_hidden_line_is_one_line_even_without_its_newline(tmp_path: Path) -> None:
    path = variant(tmp_path, "once.py", "    return parameters\n\n\ndef predict",
                   "    print('done', end='')\n    return parameters\n\n\ndef predict")
    outcome = run_train(path, tmp_path / "plots")
    assert outcome.exit_code == 0, outcome.stderr
    assert "printed 1 line while training; it was hidden" in outcome.stdout


def test_run_own_model_keeps_the_tail_of_the_output_and_counts_all_of_it(tmp_path: Path) -> None:
    path = variant(tmp_path, "numbered.py", "        if print_cost:",
                   "        print('line', epoch, '-' * 60)\n        if print_cost:")
    bridge = InProcessBridge.from_file(path)
    data = load_moons(42)
    run = run_own_model(bridge, data.X_train, data.Y_train, data.X_test, data.Y_test)
    assert run.printed_lines == 100
    assert len(run.output) == MAX_CAPTURED_OUTPUT < 100 * 70
    assert run.output.endswith("line 99 " + "-" * 60 + "\n")


# -- the given model and predict, and an accuracy far below the reference's ------------------------

def warning_lines(outcome: Outcome) -> list[str]:
    return [line for line in outcome.stderr.splitlines() if line.startswith("warning:")]


def note_lines(outcome: Outcome) -> list[str]:
    return [line for line in outcome.stdout.splitlines() if line.startswith("note:")]


def test_reference_gets_no_warning_and_no_note(reference_run: Outcome) -> None:
    assert warning_lines(reference_run) == [] and note_lines(reference_run) == []


def test_the_stub_s_given_functions_are_the_handout_s() -> None:
    assert handout.changed_given_functions((EXAMPLES / "stub.py").read_text()) == []


def test_comments_spacing_and_docstrings_are_no_change(tmp_path: Path) -> None:
    path = variant(tmp_path, "tidied.py", "    A2, _ = forward_propagation(X, parameters)\n",
                   "    # my notes\n    A2, _ = forward_propagation( X,\n                               parameters )\n")
    path.write_text(path.read_text().replace("exceeds 0.5 (given).", "exceeds one half."))
    assert handout.changed_given_functions(path.read_text()) == []


def test_changed_predict_is_named_in_one_warning_and_the_note_blames_it(tmp_path: Path) -> None:
    path = variant(tmp_path, "flipped.py", "(A2 > 0.5)", "(A2 < 0.5)")
    outcome = run_train(path, tmp_path / "plots")
    assert outcome.exit_code == 0, outcome.stderr
    [warning] = warning_lines(outcome)
    assert "the given predict is not the handout's" in warning and "model" not in warning
    assert "accuracy here may differ from the checks'" in warning
    [note] = note_lines(outcome)
    assert "far below the 0.98" in note
    assert f"all {len(PUBLIC_CHECKS)} public checks pass" in note
    assert "likely cause is your change to the given predict" in note
    assert "backprop-lab check" not in note  # every check passes: nothing to send the student to


def test_changed_training_settings_are_shown_in_the_warning_and_the_note(tmp_path: Path) -> None:
    path = variant(tmp_path, "short.py", "n_epochs: int = 100", "n_epochs: int = 2")
    outcome = run_train(path, tmp_path / "plots")
    assert outcome.exit_code == 0, outcome.stderr
    [warning] = warning_lines(outcome)
    assert "the given model is not the handout's (n_epochs=2 instead of 100)" in warning
    [note] = note_lines(outcome)
    assert "your change to the given model (n_epochs=2 instead of 100)" in note


def test_changed_model_that_still_reaches_the_reference_gets_the_warning_only(tmp_path: Path) -> None:
    path = variant(tmp_path, "renamed.py", "    n_input = X_train.shape[1]\n", "    n_input = X_train.shape[-1]\n")
    outcome = run_train(path, tmp_path / "plots")
    [warning] = warning_lines(outcome)
    assert "the given model is not the handout's:" in warning
    assert note_lines(outcome) == []


def test_low_accuracy_names_the_functions_whose_public_checks_fail(tmp_path: Path) -> None:
    path = variant(tmp_path, "ascent.py", "parameters[name] - learning_rate", "parameters[name] + learning_rate")
    outcome = run_train(path, tmp_path / "plots")
    assert warning_lines(outcome)[0].startswith("warning: the cost is not a finite number")
    assert not [w for w in warning_lines(outcome) if "handout's" in w]  # model and predict are untouched
    [note] = note_lines(outcome)
    assert "public checks fail for update_parameters and training" in note
    assert "backprop-lab check" in note


def test_low_accuracy_with_checks_passing_and_nothing_changed_says_so(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handout, "reference_test_accuracy", lambda: 1.1)  # unreachable: 0.98 is "far below"
    submission = tmp_path / "two_layer_net.py"
    shutil.copy(EXAMPLES / "reference.py", submission)
    outcome = run_train(submission, tmp_path / "plots")
    [note] = note_lines(outcome)
    assert "given model and predict and the training settings are the handout's" in note
    assert "backprop-lab check" not in note


def test_without_a_manifest_train_says_nothing_more(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handout, "MANIFEST", tmp_path / "absent.json")
    path = variant(tmp_path, "flipped.py", "(A2 > 0.5)", "(A2 < 0.5)")
    outcome = run_train(path, tmp_path / "plots")
    assert outcome.exit_code == 0
    assert warning_lines(outcome) == [] and note_lines(outcome) == []


def test_given_functions_are_compared_from_the_manifest_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # as in the student kit: the manifest, and no reference solution anywhere
    manifest = tmp_path / "manifest.json"
    shutil.copy(handout.MANIFEST, manifest)
    monkeypatch.setattr(handout, "MANIFEST", manifest)
    monkeypatch.setattr("grader.reference.REFERENCE_FILE", tmp_path / "no-solutions" / "two_layer_net.py")
    source = (EXAMPLES / "reference.py").read_text()
    assert handout.changed_given_functions(source) == []
    assert handout.changed_given_functions(source.replace("(A2 > 0.5)", "(A2 >= 0.5)")) == ["predict"]
    decorated = source.replace("\ndef model(", "\n@staticmethod\ndef model(")
    assert handout.changed_given_functions(decorated) == ["model"]
    assert handout.handout_defaults()["n_epochs"] == 100
