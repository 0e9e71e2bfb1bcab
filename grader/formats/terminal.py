"""The report printed by ``backprop-lab check``: grouped by function, one line per check, and one
line for a function that is not implemented yet.

rich lays it out: lines wrap at the terminal's width (``shutil.get_terminal_size``: COLUMNS, else
the terminal, else 80); on a terminal PASS is green, FAIL red and headings bold; piped, or with
NO_COLOR set, it is plain text. What the submission printed is shown under each failing function
(its first ``PRINTED_LINES`` lines), or all of it with ``show_output``. Every word is in the
language in use (``grader.i18n``): PASS/FAIL read 通过/未通过 in Chinese, in the same colours.
"""
from __future__ import annotations

import io
import os
import shutil
import sys
from typing import TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from grader.contract import heading
from grader.formats import not_implemented_in, status_note
from grader.i18n import Message, _, ngettext, tidy
from grader.results import CheckResult, Report
from grader.text import checks

PASS, FAIL = Message("PASS"), Message("FAIL")  # translated where shown: 通过, 未通过
PRINTED_LINES = 20  # lines of a failing function's prints shown without --show-output
DETAIL = 9  # indent of a failure's explanation, under its check's name
STYLE = {PASS: "green", FAIL: "red", "heading": "bold", "printed": "dim", "missing": "red"}


def _points(value: float) -> str:
    return f"{value:g}"


def render(report: Report, hidden_note: str = "", *, show_output: bool = False, width: int = 80) -> str:
    """The report as plain text, ``width`` columns wide."""
    console = _console(io.StringIO(), width, plain=True)
    _write(console, report, hidden_note, show_output)
    return console.file.getvalue().rstrip("\n")


def render_html(report: Report, hidden_note: str = "", *, show_output: bool = False, width: int = 100) -> str:
    """The same report as HTML, in the terminal's colours (a notebook's check cell shows it)."""
    console = Console(file=io.StringIO(), width=width, record=True, highlight=False, markup=False, emoji=False,
                      force_terminal=True, force_jupyter=False, color_system="standard")
    _write(console, report, hidden_note, show_output)
    return console.export_html(inline_styles=True, code_format=HTML_FRAME)


HTML_FRAME = ('<pre style="white-space: pre-wrap; font-family: Menlo, Consolas, \'DejaVu Sans Mono\', monospace; '
              'line-height: 1.35">{code}</pre>')


def show(report: Report, hidden_note: str = "", *, show_output: bool = False, file: TextIO | None = None) -> None:
    """Print the report to ``file`` (stdout) as wide as the terminal, in colour on a terminal."""
    plain = bool(os.environ.get("NO_COLOR"))  # no-color.org: no colour, and no bold either
    _write(_console(file or sys.stdout, shutil.get_terminal_size().columns, plain), report, hidden_note,
           show_output)


def _console(file: TextIO, width: int, plain: bool = False) -> Console:
    # markup, emoji and highlighting off: student text and messages print as they are. Without
    # ``plain`` rich styles only a terminal (not a pipe, not a file).
    # force_jupyter off: inside a Jupyter kernel rich would display each line as a cell output of its own
    return Console(file=file, width=max(width, 40), highlight=False, markup=False, emoji=False, force_jupyter=False,
                   **({"color_system": None} if plain else {}))


def _write(console: Console, report: Report, hidden_note: str, show_output: bool) -> None:
    def line(text: Text, indent: int = 0, hang: int | None = None) -> None:
        """``text`` wrapped to the console's width: the first line indented by ``indent``, the
        others by ``hang`` (default ``indent``)."""
        hang = indent if hang is None else hang
        for number, part in enumerate(text.wrap(console, max(console.width - max(indent, hang), 20))):
            part.rstrip()
            console.print(Text(" " * (hang if number else indent)) + part, soft_wrap=True)

    console.print(Text(_("backprop-lab check: {submission}", submission=report.submission)),
                  soft_wrap=True)  # a path stays whole
    console.print()
    if status_note(report):
        for paragraph in status_note(report).splitlines():
            line(Text(paragraph))
        console.print()
    collapsed_before = any_missing = False
    for function, results in report.by_function().items():
        earned, possible = (sum(r.score for r in results), sum(r.max_score for r in results))
        title = Text(f"{heading(function)}  ({_points(earned)}/{_points(possible)})", style=STYLE["heading"])
        missing = not_implemented_in(function, results)
        if missing:  # one line: the function (or the one it needs) is not implemented yet
            what = (_("not implemented yet: {checks}", checks=checks(len(results))) if function in missing else
                    _("needs {function}, not implemented yet: {checks}", function=missing.pop(),
                      checks=checks(len(results))))
            line(title + Text(f"  {what}", style=STYLE["missing"]), 0, 4)
            any_missing = True
        else:
            if collapsed_before:
                console.print()
            line(title)
            for r in results:
                _result(line, r)
        printed = report.printed.get(function, "")
        if printed and (show_output or any(not r.passed for r in results)):
            _printed(line, function, printed, show_output)
        collapsed_before = bool(missing)
        if not missing:
            console.print()
    if collapsed_before:
        console.print()
    if any_missing:
        line(Text(_("(not implemented yet: the function still raises NotImplementedError)")))
    passed = sum(r.passed for r in report.results)
    line(Text(tidy(_("{passed}/{total} checks passed. Points: {score}/{max_score}.", passed=passed,
                     total=len(report.results), score=_points(report.score), max_score=_points(report.max_score))
                   + hidden_note), style=STYLE["heading"]))


def _result(line, r: CheckResult) -> None:
    """``  PASS   2/2  title``: the marks padded to one width (通过 and 未通过 differ), the title's
    continuation lines under the title."""
    mark = PASS if r.passed else FAIL
    width = max(cell_len(str(PASS)), cell_len(str(FAIL)))
    shown = str(mark) + " " * (width - cell_len(str(mark)))
    title = r.in_group + (_(" [hidden]") if r.hidden else "")
    line(Text.assemble("  ", (shown, STYLE[mark]), f"  {_points(r.score):>2}/{_points(r.max_score):<2} ", title),
         0, width + 10)
    if not r.passed:
        for paragraph in r.output.splitlines():
            line(Text(paragraph), DETAIL)


def _printed(line, function: str, printed: str, show_all: bool) -> None:
    lines = printed.rstrip("\n").splitlines()
    shown = lines if show_all else lines[:PRINTED_LINES]
    cut = len(lines) - len(shown)
    if cut:
        said = ngettext("{function} printed {number} line, the first {shown} below ({cut} cut; --show-output "
                        "shows all):", "{function} printed {number} lines, the first {shown} below ({cut} cut; "
                        "--show-output shows all):", len(lines), function=heading(function), shown=len(shown),
                        cut=cut)
    else:
        said = ngettext("{function} printed {number} line:", "{function} printed {number} lines:", len(lines),
                        function=heading(function))
    line(Text(said, style=STYLE["printed"]), 2, 4)
    for text in shown:
        line(Text(f"| {text}", style=STYLE["printed"]), 2, 4)
