"""Helpers the grade command's tests share: a class of submissions written from code, and ``grade`` run
through the command line with its output captured."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

from grader import cli


def make_class(folder: Path, **files: str) -> Path:
    """``folder`` with one ``NAME.py`` per keyword (its code); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, code in files.items():
        (folder / f"{name}.py").write_text(code)
    return folder


def run_cli(*args: str) -> tuple[int, str, str]:
    """``backprop-lab grade ARGS`` in this process: (exit status, what it printed, what it wrote to stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["grade", *args])
    return code, out.getvalue(), err.getvalue()
