"""``backprop-lab train [PATH] [--plots DIR]``: train with the submission's own ``model`` and plot.

The handout's moons split (seed 42) is trained with the file's ``model`` and its
default settings; accuracies come from the file's own ``predict``; three PNGs are
written to DIR. Exit codes: 0 trained (a NaN cost only warns), 2 the submission
cannot be used or its code failed.

It warns when the file's given ``model`` or ``predict`` is not the handout's, and explains a
test accuracy far below the reference's: the functions whose public checks fail, or, when they
all pass, the changed given code or settings (grader/handout.py reads both from the fixtures).
"""
from __future__ import annotations

import contextlib
import io
import math
import sys
from pathlib import Path

from tqdm import tqdm

from grader import handout, i18n
from grader.bridge import StudentCodeError, SubmissionLoadError
from grader.bridge.calls import read_submission
from grader.bridge.inprocess import InProcessBridge
from grader.bridge.own_model import (
    TEST_ACCURACY,
    TRAIN_ACCURACY,
    ModelRun,
    accuracy_line,
    model_defaults,
    own_accuracy,
    run_own_model,
)
from grader.contract import MoonsSplit, load_moons
from grader.formats import plots
from grader.i18n import N_, _, ngettext
from grader.reference import ReferenceUnavailable
from grader.results import Report
from grader.runner import GraderError, check_file
from grader.submission import student_file

HANDOUT_SEED = 42
SHOWN_SETTINGS = ("n_hidden", "n_epochs", "batch_size", "learning_rate")
# "far below" the reference's test accuracy (0.98): 10 more of the 200 test samples wrong, beyond
# what another seed or float noise moves; correct functions with the given model reach it exactly.
FAR_BELOW = 0.05


def main(path: Path, plots_dir: Path) -> int:
    path, chosen = student_file(path)  # a folder: its two_layer_net.py or its notebook, said
    if chosen:
        print(chosen)
    try:
        bridge = InProcessBridge.from_file(path)
        changed = changed_given(path)
        warn_if_given_changed(changed, bridge)
        data = load_moons(HANDOUT_SEED)
        run = train_with_progress(bridge, data)
        train_accuracy = own_accuracy(bridge, run.parameters, data.X_train, data.Y_train)
        test_accuracy = own_accuracy(bridge, run.parameters, data.X_test, data.Y_test)
        written = plots.training_plots(bridge, run, data, test_accuracy, Path(plots_dir))
    except SubmissionLoadError as error:
        print(_("error: {error}", error=error), file=sys.stderr)
        return 2
    except StudentCodeError as error:
        print(_("error: {error}", error=one_line(error)), file=sys.stderr)
        return 2
    report_hidden_output(run)
    warn_if_cost_not_finite(run)
    print(accuracy_line(TRAIN_ACCURACY, train_accuracy, len(data.Y_train)))
    print(accuracy_line(TEST_ACCURACY, test_accuracy, len(data.Y_test)))
    explain_low_accuracy(path, test_accuracy, changed, bridge)
    print(_("plots written:"))
    for plot in written:
        print(f"  {plot}")
    return 0


def train_with_progress(bridge: InProcessBridge, data: MoonsSplit) -> ModelRun:
    """Run the submission's ``model`` on ``data`` behind a progress bar showing the current cost."""
    defaults = model_defaults(bridge)
    settings = ", ".join(f"{name}={defaults[name]}" for name in SHOWN_SETTINGS if name in defaults)
    print(_("training {file} with its own model({settings})", file=bridge.filename, settings=settings))
    n_epochs = defaults.get("n_epochs")
    with tqdm(total=n_epochs if isinstance(n_epochs, int) else None, unit=_("epoch"), file=sys.stderr) as bar:
        def show_epoch(epoch: int, cost: float) -> None:
            bar.set_postfix(cost=f"{cost:.4f}", refresh=False)
            bar.update(1)

        try:
            return run_own_model(bridge, data.X_train, data.Y_train, data.X_test, data.Y_test, on_epoch=show_epoch)
        except StudentCodeError:
            bar.leave = False  # the error line alone says what happened
            raise


# N_ constants are translated where shown, with i18n._ (the catalogue has their text through N_).
# Both spellings: in the released kit the console script exists only after `pip install -e .`.
RUN_CHECKS = N_("the checks (`backprop-lab check` or `python -m grader check`)")


def one_line(error: StudentCodeError) -> str:
    """The failure in one line: what to write next, or the exception and the student's line."""
    if error.kind == "not_implemented":
        return _("{explained} Write it, then run {checks}.", explained=error.explain(),
                 checks=i18n._(RUN_CHECKS))
    if error.kind == "exception":
        innermost = error.traceback.strip().splitlines()[-1:]  # "line N, in function: code"
        where = f" ({innermost[0].strip()})" if innermost else ""
        return _("{function} raised {error}{where}. Run {checks} to find out more.", function=error.function,
                 error=error.raised, where=where, checks=i18n._(RUN_CHECKS))
    return error.explain()


def changed_given(path: Path) -> list[str]:
    """The given functions (model, predict) the file changed from the handout's; [] when unknown."""
    try:
        source = read_submission(path)  # a notebook's graded code
    except SubmissionLoadError:  # it loaded, so this is unlikely; say nothing rather than guess
        return []
    return handout.changed_given_functions(source)


def changed_settings(bridge: InProcessBridge) -> list[str]:
    """"n_epochs=5 instead of 100" for each training setting of model that is not the handout's."""
    given, own = handout.handout_defaults(), model_defaults(bridge)
    return [_("{name}={own} instead of {given}", name=name, own=own.get(name, "none"), given=given[name])
            for name in SHOWN_SETTINGS if name in given and own.get(name) != given[name]]


def _your_change(changed: list[str], bridge: InProcessBridge) -> str:
    """"your change to the given model (n_epochs=5 instead of 100)", from ``changed_given``."""
    return _("your change to the given {functions}{settings}", functions=_listed(changed),
             settings=_settings_shown(changed, bridge))


def _settings_shown(changed: list[str], bridge: InProcessBridge) -> str:
    """" (n_epochs=5 instead of 100)" when the given model was changed with other settings, else ""."""
    settings = changed_settings(bridge) if "model" in changed else []
    return " ({settings})".format(settings=_(", ").join(settings)) if settings else ""


def warn_if_given_changed(changed: list[str], bridge: InProcessBridge) -> None:
    if not changed:
        return
    print(ngettext("warning: the given {functions} is not the handout's{settings}: the accuracy here may "
                   "differ from the checks' because of it.",
                   "warning: the given {functions} are not the handout's{settings}: the accuracy here may "
                   "differ from the checks' because of it.",
                   len(changed), functions=_listed(changed), settings=_settings_shown(changed, bridge)),
          file=sys.stderr)


def explain_low_accuracy(path: Path, test_accuracy: float, changed: list[str], bridge: InProcessBridge) -> None:
    """When the test accuracy is far below the reference's, say where to look: the functions whose
    public checks fail, or, when they all pass, the given model/predict and the training settings."""
    reference = handout.reference_test_accuracy()
    if reference is None or not test_accuracy < reference - FAR_BELOW:
        return
    accuracy, reached = f"{test_accuracy:.3f}", f"{reference:.2f}"
    far_below = _("note: the test accuracy {accuracy} is far below the {reference} the handout's model and "
                  "settings reach with correct functions", accuracy=accuracy, reference=reached)
    report = public_checks(path)
    if report is None:
        print(_("{far_below}. Run {checks} to find out why.", far_below=far_below, checks=i18n._(RUN_CHECKS)))
        return
    failing = list(dict.fromkeys(r.function for r in report.results if not r.passed))
    if failing:
        print(_("{far_below}; public checks fail for {functions}. Run {checks} to see why.", far_below=far_below,
                functions=_listed(failing), checks=i18n._(RUN_CHECKS)))
        return
    passing = ngettext("the {number} public check passes", "all {number} public checks pass", len(report.results))
    if changed:
        print(_("{far_below}, yet {passing}: the likely cause is {change}. Put the handout's back to compare.",
                far_below=far_below, passing=passing, change=_your_change(changed, bridge)))
    else:
        print(_("{far_below}, yet {passing}, and the given model and predict and the training settings are "
                "the handout's: the cause is something the public checks do not test (the hidden checks, run "
                "when your work is graded, test more cases).", far_below=far_below, passing=passing))


def public_checks(path: Path) -> Report | None:
    """The public checks on the file, as ``backprop-lab check`` runs them (None when they cannot run)."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # what the file prints when imported again
            return check_file(path)
    except (SubmissionLoadError, ReferenceUnavailable, GraderError):
        return None


def _listed(functions: list[str]) -> str:
    """"a", "a and b", "a, b and c" ("training" stands for the training checks, as `check` groups them)."""
    names = functions
    if len(names) == 1:
        return names[0]
    return _("{first} and {last}", first=_(", ").join(names[:-1]), last=names[-1])


def report_hidden_output(run: ModelRun) -> None:
    if run.printed_lines:
        print(ngettext("note: your code printed {number} line while training; it was hidden to keep the "
                       "progress bar readable.",
                       "note: your code printed {number} lines while training; they were hidden to keep the "
                       "progress bar readable.", run.printed_lines))


def warn_if_cost_not_finite(run: ModelRun) -> None:
    bad_epochs = [epoch for epoch, cost in enumerate(run.epoch_costs, 1) if not math.isfinite(cost)]
    if bad_epochs:
        print(_("warning: the cost is not a finite number from epoch {epoch} on ({bad} of {total} epochs); "
                "the plots are drawn anyway. Run {checks} to find the function that goes wrong.",
                epoch=bad_epochs[0], bad=len(bad_epochs), total=len(run.epoch_costs),
                checks=i18n._(RUN_CHECKS)),
              file=sys.stderr)
