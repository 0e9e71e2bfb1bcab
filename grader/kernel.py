"""What a student's notebook calls, inside its own Jupyter kernel: the check cells and the training cell.

    check("forward_propagation")   that function's public checks on the functions the notebook
                                   defined (the kernel's globals), the report of `backprop-lab check`
    check()                        every public check
    show_training(X_train, y_train, X_test, y_test)
                                   the notebook's given ``model`` trained on those arrays, the
                                   accuracies printed by its ``predict``, the three plots of
                                   `backprop-lab train` shown inline
    use_language("zh")             the reports' language (the notebook's setup cell calls it)

Checks run in this process on the practice questions against the recorded answers, like
`backprop-lab check`: this is the students' own tool, never the grader (grading reads a
notebook's definitions, not its kernel). A check cell never raises for the student's code: a
function not written yet, missing, or raising is reported like any failed check. A report shows
as HTML in Jupyter (``_repr_html_``: the terminal's colours) and as plain text elsewhere.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from grader import i18n
from grader.bridge import StudentCodeError
from grader.bridge.inprocess import InProcessBridge
from grader.bridge.own_model import TEST_ACCURACY, TRAIN_ACCURACY, accuracy_line, own_accuracy, run_own_model
from grader.checks import catalogue
from grader.contract import SCORED, MoonsSplit
from grader.formats import plots, terminal
from grader.i18n import _, ngettext
from grader.reference import RecordedReference, ReferenceUnavailable
from grader.results import Report
from grader.runner import PRINTED_UNDER, GraderError, hidden_summary, run_checks

SUBMISSION = "notebook"  # how the report names what it checked: the notebook's functions


class Shown:
    """Something a cell shows: plain text, and HTML for Jupyter."""

    def __init__(self, text: str, html: str = ""):
        self.text, self.html = text, html

    def __repr__(self) -> str:  # what a plain Python shell (or a notebook without HTML) prints
        return self.text

    def _repr_html_(self) -> str | None:
        return self.html or None


def use_language(language: str) -> None:
    """The language of the reports and plots from now on ("en", "zh")."""
    i18n.use(language)


def check(function: str | None = None, *, namespace: dict[str, Any] | None = None) -> Shown:
    """The public checks of ``function`` (one of contract.SCORED; None: every public check) on the
    functions defined in ``namespace`` (default: the globals of the cell that calls it)."""
    if function is not None and function not in SCORED:
        return Shown(_("error: there is no function {function} to check; choose one of: {functions}.",
                       function=repr(function), functions=", ".join(SCORED)))
    namespace = namespace if namespace is not None else sys._getframe(1).f_globals
    try:
        report = run_public_checks(namespace, function)
    except ReferenceUnavailable as error:
        return Shown(_("error: {error}", error=error))
    except GraderError as error:  # our bug, not the student's
        return Shown(_("error: {error}. This is a bug in backprop-lab, not in your code; please report it with "
                       "this traceback:\n{traceback}", error=error, traceback=error.traceback.rstrip()))
    note = _hidden_note() if function is None else " " + _("Only the checks of {functions} ran.", functions=function)
    return Shown(terminal.render(report, note), terminal.render_html(report, note))


def run_public_checks(namespace: dict[str, Any], function: str | None = None) -> Report:
    """The public checks (of ``function`` only, if given) on ``namespace``'s functions, in this
    process, on the practice questions; what the functions printed is kept under each."""
    bridge = InProcessBridge(namespace, SUBMISSION)
    checks = [c for c in catalogue(include_hidden=False) if function is None or c.function == function]
    recorded = RecordedReference()
    report = run_checks(bridge, checks, lambda check: recorded, submission=SUBMISSION)
    report.printed = {PRINTED_UNDER.get(name, name): text for name, text in bridge.outputs.items()}
    return report


def _hidden_note() -> str:
    count, points = hidden_summary()
    if not count:
        return ""
    more = ngettext("{number} more point", "{number} more points", points)
    return " " + ngettext("{number} hidden check ({more}) runs when your work is graded.",
                          "{number} hidden checks ({more}) run when your work is graded.", count, more=more)


def show_training(X_train: np.ndarray, Y_train: np.ndarray, X_test: np.ndarray, Y_test: np.ndarray, *,
                  namespace: dict[str, Any] | None = None, plots_dir: Path | None = None) -> Any:
    """Train with the notebook's ``model`` (its own settings) on the arrays given, print the
    accuracies of its ``predict``, show the plots; returns the trained parameters (None when the
    code failed: the error is printed, never raised).

    Inputs:  X_train (m, 2), Y_train (m, 1), X_test (m_test, 2), Y_test (m_test, 1)
    ``plots_dir``: where the PNGs are written (default: in Jupyter a temporary folder, once they are
    shown inline; elsewhere ``plots/``)
    """
    namespace = namespace if namespace is not None else sys._getframe(1).f_globals
    bridge = InProcessBridge(namespace, SUBMISSION)
    data = MoonsSplit(0, *(np.asarray(a) for a in (X_train, Y_train, X_test, Y_test)))
    try:
        run = run_own_model(bridge, data.X_train, data.Y_train, data.X_test, data.Y_test)
        train_accuracy = own_accuracy(bridge, run.parameters, data.X_train, data.Y_train)
        test_accuracy = own_accuracy(bridge, run.parameters, data.X_test, data.Y_test)
        print(accuracy_line(TRAIN_ACCURACY, train_accuracy, len(data.Y_train)))
        print(accuracy_line(TEST_ACCURACY, test_accuracy, len(data.Y_test)))
        kernel = _kernel_display()
        if kernel is None:  # a plain Python: the files stay, and their paths are printed
            print(_("plots written:"))
            for image in plots.training_plots(bridge, run, data, test_accuracy, Path(plots_dir or "plots")):
                print(f"  {image}")
        else:
            with tempfile.TemporaryDirectory(prefix="backprop-lab-plots-") as scratch:
                for image in plots.training_plots(bridge, run, data, test_accuracy, Path(plots_dir or scratch)):
                    kernel.display(kernel.Image(data=image.read_bytes(), format="png"))
    except StudentCodeError as error:
        print(_("error: {error}", error=error.explain()))
        print(_("Run the check cells to find the function that goes wrong."))
        return None
    return run.parameters


def _kernel_display() -> Any:
    """IPython's display module when this runs in a Jupyter kernel, else None. Never imported here:
    a kernel has imported it already, and the student kit does not require it."""
    ipython = sys.modules.get("IPython")
    if ipython is None or getattr(ipython, "get_ipython", lambda: None)() is None:
        return None
    return sys.modules.get("IPython.display")
