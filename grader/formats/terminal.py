"""The report printed by ``backprop-lab check``: grouped by function, one line per check, and one
line for a function that is not implemented yet.

rich lays it out: lines wrap at the terminal's width (``shutil.get_terminal_size``: COLUMNS, else
the terminal, else 80); on a terminal PASS is green, FAIL red and headings bold; piped, or with
NO_COLOR set, it is plain text. What the submission printed is shown under each failing function
(its first ``PRINTED_LINES`` lines), or all of it with ``show_output``.
"""
from __future__ import annotations

import io
import os
import shutil
import sys
from typing import TextIO

from rich.console import Console
from rich.text import Text

from grader.formats import not_implemented_in, status_note
from grader.results import CheckResult, Report

PASS, FAIL = "PASS", "FAIL"
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


def show(report: Report, hidden_note: str = "", *, show_output: bool = False, file: TextIO | None = None) -> None:
    """Print the report to ``file`` (stdout) as wide as the terminal, in colour on a terminal."""
    plain = bool(os.environ.get("NO_COLOR"))  # no-color.org: no colour, and no bold either
    _write(_console(file or sys.stdout, shutil.get_terminal_size().columns, plain), report, hidden_note,
           show_output)


def _console(file: TextIO, width: int, plain: bool = False) -> Console:
    # markup, emoji and highlighting off: student text and messages print as they are. Without
    # ``plain`` rich styles only a terminal (not a pipe, not a file).
    return Console(file=file, width=max(width, 40), highlight=False, markup=False, emoji=False,
                   **({"color_system": None} if plain else {}))


def _write(console: Console, report: Report, hidden_note: str, show_output: bool) -> None:
    def line(text: Text, indent: int = 0, hang: int | None = None) -> None:
        """``text`` wrapped to the console's width: the first line indented by ``indent``, the
        others by ``hang`` (default ``indent``)."""
        hang = indent if hang is None else hang
        for number, part in enumerate(text.wrap(console, max(console.width - max(indent, hang), 20))):
            part.rstrip()
            console.print(Text(" " * (hang if number else indent)) + part, soft_wrap=True)

    console.print(Text(f"backprop-lab check: {report.submission}"), soft_wrap=True)  # a path stays whole
    console.print()
    if status_note(report):
        for paragraph in status_note(report).splitlines():
            line(Text(paragraph))
        console.print()
    collapsed_before = any_missing = False
    for function, results in report.by_function().items():
        earned, possible = (sum(r.score for r in results), sum(r.max_score for r in results))
        heading = Text(f"{function}  ({_points(earned)}/{_points(possible)})", style=STYLE["heading"])
        missing = not_implemented_in(function, results)
        if missing:  # one line: the function (or the one it needs) is not implemented yet
            what = "not implemented yet" if function in missing else f"needs {missing.pop()}, not implemented yet"
            line(heading + Text(f"  {what}: {_checks(len(results))}", style=STYLE["missing"]), 0, 4)
            any_missing = True
        else:
            if collapsed_before:
                console.print()
            line(heading)
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
        line(Text("(not implemented yet: the function still raises NotImplementedError)"))
    passed = sum(r.passed for r in report.results)
    line(Text(f"{passed}/{len(report.results)} checks passed. "
              f"Points: {_points(report.score)}/{_points(report.max_score)}.{hidden_note}", style=STYLE["heading"]))


def _checks(count: int) -> str:
    return f"{count} check" + ("" if count == 1 else "s")


def _result(line, r: CheckResult) -> None:
    mark = PASS if r.passed else FAIL
    tag = " [hidden]" if r.hidden else ""
    line(Text.assemble("  ", (mark, STYLE[mark]), f"  {_points(r.score):>2}/{_points(r.max_score):<2} ",
                       f"{r.name.split(': ', 1)[-1]}{tag}"), 0, 14)
    if not r.passed:
        for paragraph in r.output.splitlines():
            line(Text(paragraph), DETAIL)


def _printed(line, function: str, printed: str, show_all: bool) -> None:
    lines = printed.rstrip("\n").splitlines()
    shown = lines if show_all else lines[:PRINTED_LINES]
    cut = len(lines) - len(shown)
    note = f", the first {len(shown)} below ({cut} cut; --show-output shows all)" if cut else ""
    line(Text(f"{function} printed {len(lines)} line{'' if len(lines) == 1 else 's'}{note}:",
              style=STYLE["printed"]), 2, 4)
    for text in shown:
        line(Text(f"| {text}", style=STYLE["printed"]), 2, 4)
