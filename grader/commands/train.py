"""``backprop-lab train [PATH] [--plots DIR]``: train with the submission's own ``model`` and plot.

The handout's moons split (seed 42) is trained with the file's ``model`` and its
default settings; accuracies come from the file's own ``predict``; three PNGs are
written to DIR. Exit codes: 0 trained (a NaN cost only warns), 2 the submission
cannot be used or its code failed.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from grader.bridge import StudentCodeError, SubmissionLoadError
from grader.bridge.inprocess import InProcessBridge
from grader.bridge.own_model import ModelRun, model_defaults, run_own_model
from grader.contract import MoonsSplit, load_moons
from grader.formats import plots
from grader.text import counted

HANDOUT_SEED = 42
SHOWN_SETTINGS = ("n_hidden", "n_epochs", "batch_size", "learning_rate")
PLOT_FILES = {"labels": "label_histogram.png", "loss": "loss_curve.png", "boundary": "decision_boundary.png"}


def main(path: Path, plots_dir: Path) -> int:
    try:
        bridge = InProcessBridge.from_file(path)
        data = load_moons(HANDOUT_SEED)
        run = train_with_progress(bridge, data)
        train_accuracy = accuracy(bridge, run.parameters, data.X_train, data.Y_train)
        test_accuracy = accuracy(bridge, run.parameters, data.X_test, data.Y_test)
        written = draw_plots(bridge, run, data, test_accuracy, Path(plots_dir))
    except SubmissionLoadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except StudentCodeError as error:
        print(f"error: {one_line(error)}", file=sys.stderr)
        return 2
    report_hidden_output(run)
    warn_if_cost_not_finite(run)
    print(f"train accuracy: {train_accuracy:.3f} ({round(train_accuracy * len(data.Y_train))} of {len(data.Y_train)})")
    print(f"test accuracy:  {test_accuracy:.3f} ({round(test_accuracy * len(data.Y_test))} of {len(data.Y_test)})")
    print("plots written:")
    for plot in written:
        print(f"  {plot}")
    return 0


def train_with_progress(bridge: InProcessBridge, data: MoonsSplit) -> ModelRun:
    """Run the submission's ``model`` on ``data`` behind a progress bar showing the current cost."""
    defaults = model_defaults(bridge)
    settings = ", ".join(f"{name}={defaults[name]}" for name in SHOWN_SETTINGS if name in defaults)
    print(f"training {bridge.filename} with its own model({settings})")
    n_epochs = defaults.get("n_epochs")
    with tqdm(total=n_epochs if isinstance(n_epochs, int) else None, unit="epoch", file=sys.stderr) as bar:
        def show_epoch(epoch: int, cost: float) -> None:
            bar.set_postfix(cost=f"{cost:.4f}", refresh=False)
            bar.update(1)

        try:
            return run_own_model(bridge, data.X_train, data.Y_train, data.X_test, data.Y_test, on_epoch=show_epoch)
        except StudentCodeError:
            bar.leave = False  # the error line alone says what happened
            raise


def accuracy(bridge: InProcessBridge, parameters: dict, X: np.ndarray, Y: np.ndarray) -> float:
    """Fraction of samples whose label the submission's own ``predict`` gets right.

    Inputs: X (m, 2), Y (m, 1)
    """
    predictions = np.ravel(bridge.call("predict", X, parameters))  # (m,)
    if predictions.shape != (len(Y),):
        raise StudentCodeError("exception", "predict", f"returned {predictions.size} values for {len(Y)} samples")
    return float(np.mean(predictions == np.ravel(Y)))


def draw_plots(bridge: InProcessBridge, run: ModelRun, data: MoonsSplit, test_accuracy: float,
               plots_dir: Path) -> list[Path]:
    """Write the three PNGs; the boundary uses the submission's forward pass on a grid."""
    X_all = np.vstack([data.X_train, data.X_test])  # (1000, 2): the handout's whole data set
    Y_all = np.vstack([data.Y_train, data.Y_test])  # (1000, 1)
    xx, yy = plots.grid_around(X_all)
    A2_grid, _ = bridge.call("forward_propagation", np.c_[xx.ravel(), yy.ravel()], run.parameters)
    return [
        plots.label_histogram(Y_all, plots_dir / PLOT_FILES["labels"]),
        plots.loss_curve(np.array(run.epoch_costs), np.array(run.batch_costs), plots_dir / PLOT_FILES["loss"]),
        plots.decision_boundary(xx, yy, np.asarray(A2_grid, dtype=float), data.X_train, data.Y_train,
                                data.X_test, data.Y_test, test_accuracy, plots_dir / PLOT_FILES["boundary"]),
    ]


# Both spellings: in the released kit the console script exists only after `pip install -e .`.
RUN_CHECKS = "the checks (`backprop-lab check` or `python -m grader check`)"


def one_line(error: StudentCodeError) -> str:
    """The failure in one line: what to write next, or the exception and the student's line."""
    if error.kind == "not_implemented":
        return f"{error.explain()} Write it, then run {RUN_CHECKS}."
    if error.kind == "exception":
        innermost = error.traceback.strip().splitlines()[-1:]  # "line N, in function: code"
        where = f" ({innermost[0].strip()})" if innermost else ""
        return f"{error.function} raised {error.detail}{where}. Run {RUN_CHECKS} to find out more."
    return error.explain()


def report_hidden_output(run: ModelRun) -> None:
    if run.printed_lines:
        hidden = "it was" if run.printed_lines == 1 else "they were"
        print(f"note: your code printed {counted(run.printed_lines, 'line')} while training; "
              f"{hidden} hidden to keep the progress bar readable.")


def warn_if_cost_not_finite(run: ModelRun) -> None:
    bad_epochs = [epoch for epoch, cost in enumerate(run.epoch_costs, 1) if not math.isfinite(cost)]
    if bad_epochs:
        print(f"warning: the cost is not a finite number from epoch {bad_epochs[0]} on "
              f"({len(bad_epochs)} of {len(run.epoch_costs)} epochs); the plots are drawn anyway. "
              f"Run {RUN_CHECKS} to find the function that goes wrong.", file=sys.stderr)
