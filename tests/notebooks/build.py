"""Notebooks for the tests, as students' front ends save them.

``from_python(source)`` turns a ``.py`` submission into the notebook a student working in Jupyter
would hand in: its docstring as a markdown cell, one code cell per top-level statement group
(the imports together, then each definition), a markdown cell before each function, and cells
that run things at the top level (a check, training). ``notebook(cells, front_end, minor)`` writes
the JSON a front end saves: its metadata (``FRONT_ENDS``), cell ids from nbformat 4.5 on, sources
as lists of lines, outputs and execution counts.
"""
from __future__ import annotations

import ast
import base64
import json
import os
from pathlib import Path

PYTHON_INFO = {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
               "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
               "pygments_lexer": "ipython3", "version": "3.11.4"}

# What each front end writes into a notebook's metadata, and the nbformat minor version it saves.
FRONT_ENDS = {
    "jupyterlab": (5, {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                      "name": "python3"}, "language_info": PYTHON_INFO}),
    "classic": (4, {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                    "language_info": PYTHON_INFO, "toc": {"base_numbering": 1, "nav_menu": {}}}),
    "vscode": (2, {"kernelspec": {"display_name": "Python 3.11.4 64-bit", "language": "python", "name": "python3"},
                   "language_info": PYTHON_INFO, "orig_nbformat": 4,
                   "vscode": {"interpreter": {"hash": "916dbcbb3f70747c44a77c7bcd40155683ae19c6"}}}),
    "colab": (0, {"colab": {"provenance": [], "toc_visible": True}, "kernelspec": {"name": "python3",
                                                                                   "display_name": "Python 3"},
                  "language_info": {"name": "python"}, "accelerator": "GPU"}),
}

TOP_LEVEL_CALLS = (  # what a student's notebook runs at its top level; none of it may run at grading
    'check("forward_propagation")\n',
    "X = np.random.default_rng(0).normal(size=(200, 2))\n"
    "y = (X[:, 0] * X[:, 1] > 0).astype(float)\n"
    "parameters = model(X[:160], y[:160].reshape(-1, 1), X[160:], y[160:].reshape(-1, 1), n_epochs=1)\n"
    "print('test accuracy', (predict(X[160:], parameters).ravel() == y[160:]).mean())\n",
)


def statement_groups(source: str) -> tuple[str, list[str]]:
    """(the module docstring, the code of each top-level statement group: consecutive imports together,
    every other statement with the comments above it)."""
    tree, lines = ast.parse(source), source.splitlines()
    docstring = ast.get_docstring(tree) or ""
    body = tree.body[1:] if docstring else tree.body
    groups: list[str] = []
    previous_end, previous_import = (tree.body[0].end_lineno if docstring else 0), False
    for statement in body:
        text = "\n".join(lines[previous_end:statement.end_lineno]).strip("\n")
        is_import = isinstance(statement, (ast.Import, ast.ImportFrom))
        if is_import and previous_import:
            groups[-1] += "\n" + text
        else:
            groups.append(text)
        previous_end, previous_import = statement.end_lineno, is_import
    return docstring, groups


def from_python(source: str, calls: tuple[str, ...] = TOP_LEVEL_CALLS) -> list[tuple[str, str]]:
    """The cells, (kind, source), of the notebook holding the code of the ``.py`` ``source``."""
    docstring, groups = statement_groups(source)
    cells = [("markdown", "# Two-layer network\n\n" + docstring)]
    for group in groups:
        name = next((node.name for node in ast.parse(group).body if isinstance(node, ast.FunctionDef)), None)
        if name:
            cells.append(("markdown", f"## `{name}`\n\nFill in the function, then run the check below it."))
        cells.append(("code", group))
        if name:
            cells.append(("code", f'check("{name}")'))
    cells += [("code", call) for call in calls]
    return cells


def notebook(cells: list[tuple[str, str]], front_end: str = "jupyterlab", minor: int | None = None,
             outputs: list[dict] | None = None) -> dict:
    """The JSON of a notebook holding ``cells`` as ``front_end`` saves it (nbformat 4.``minor``, by
    default the front end's); every code cell gets ``outputs`` (default: a line of print output)."""
    own_minor, metadata = FRONT_ENDS[front_end]
    minor = own_minor if minor is None else minor
    built = []
    for number, (kind, source) in enumerate(cells, start=1):
        cell: dict = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
        if front_end == "colab":
            cell["metadata"] = {"id": f"cell{number:04x}"}
        if minor >= 5:
            cell["id"] = f"{number:08x}-cell"
        if kind == "code":
            cell["execution_count"] = number
            cell["outputs"] = outputs if outputs is not None else [
                {"name": "stdout", "output_type": "stream", "text": [f"ran cell {number}\n"]}]
        built.append(cell)
    return {"cells": built, "metadata": metadata, "nbformat": 4, "nbformat_minor": minor}


def large_plot(megabytes: int) -> dict:
    """A display_data output holding a PNG of about ``megabytes`` MB (random bytes, base64)."""
    data = base64.b64encode(os.urandom(megabytes * 3 << 18)).decode("ascii")
    return {"data": {"image/png": data, "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
            "metadata": {}, "output_type": "display_data"}


def write(path: Path, content: dict) -> Path:
    """``content`` written as a front end writes a notebook (indented JSON, non-ASCII kept)."""
    path.write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_from_python(python_file: Path, target: Path, **options) -> Path:
    """The notebook of the ``.py`` at ``python_file`` (``from_python``), written at ``target``."""
    return write(target, notebook(from_python(python_file.read_text(encoding="utf-8")), **options))
