"""What the handout gives every student, as the fixtures record it (``backprop-lab train`` reads it).

The student stub's given functions ``model`` and ``predict`` (public: every student has them) and
the test accuracy the reference reaches with them on the handout's split are recorded into
``grader/fixtures/manifest.json`` by ``backprop-lab fixtures`` (``grader/recording.py``). The kit
ships that manifest but not the reference, so ``train`` can tell a student that a given function
was changed, or that the accuracy is far below the reference's, without any solution code.

Functions are compared as syntax trees (``ast.dump`` without positions, docstrings left out),
both parsed by the Python running the comparison: comments, spacing, line breaks and
docstrings may change, code may not. The recorded text is source, not a dump or a hash of one,
because ``ast.dump`` differs between Python versions.
"""
from __future__ import annotations

import ast
import copy
import json
import textwrap
from typing import Any

from grader.reference import MANIFEST

GIVEN_FUNCTIONS = ("model", "predict")  # given by the handout; train calls both, the checks neither


def function_sources(source: str, names: tuple[str, ...] = GIVEN_FUNCTIONS) -> dict[str, str]:
    """name -> the source text (decorators included) of the module-level function ``name`` in
    ``source``; names not defined there are left out. Raises SyntaxError when it does not parse."""
    lines = source.splitlines(keepends=True)
    return {name: "".join(lines[_first_line(node) - 1:node.end_lineno])
            for name, node in _functions(source, names).items()}


def normalised(function_source: str) -> str:
    """The syntax tree of the one function in ``function_source``: no positions, comments or docstring."""
    return _dump(next(iter(_functions(textwrap.dedent(function_source), None).values())))


def _functions(source: str, names: tuple[str, ...] | None) -> dict[str, ast.AST]:
    """name -> the node of each module-level function in ``names`` (all with None); the last
    definition wins, as in Python."""
    return {node.name: node for node in ast.parse(source).body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (names is None or node.name in names)}


def _first_line(node: ast.AST) -> int:
    return min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])


def _dump(function: ast.AST) -> str:
    function = copy.deepcopy(function)
    for node in ast.walk(function):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and ast.get_docstring(node):
            node.body = node.body[1:] or [ast.Pass()]
    return ast.dump(function)


def recorded() -> dict[str, Any]:
    """The fixtures' manifest ({} when it is missing or unreadable)."""
    try:
        return json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def given_sources() -> dict[str, str]:
    """name -> the handout's source of each given function, from the manifest ({} without one)."""
    given = recorded().get("given_functions", {})
    return {name: text for name, text in given.items() if isinstance(text, str)} if isinstance(given, dict) else {}


def reference_test_accuracy() -> float | None:
    """The reference's test accuracy on the handout's split with the given model (None if not recorded)."""
    value = recorded().get("reference_test_accuracy")
    return float(value) if isinstance(value, (int, float)) else None


def changed_given_functions(submission_source: str, handout: dict[str, str] | None = None) -> list[str]:
    """The given functions (in GIVEN_FUNCTIONS order) whose code in ``submission_source`` is not the
    handout's. A function the submission lacks is not listed (train names missing functions itself);
    nor is anything when the submission does not parse or nothing is recorded."""
    handout = given_sources() if handout is None else handout
    try:
        submitted = _functions(submission_source, tuple(handout))
    except SyntaxError:
        return []
    return [name for name in GIVEN_FUNCTIONS
            if name in handout and name in submitted and _dump(submitted[name]) != normalised(handout[name])]


def handout_defaults(handout: dict[str, str] | None = None) -> dict[str, Any]:
    """The default settings in the signature of the handout's ``model`` ({} when not recorded)."""
    handout = given_sources() if handout is None else handout
    if "model" not in handout:
        return {}
    function = ast.parse(textwrap.dedent(handout["model"])).body[0]
    arguments = function.args
    positional = arguments.posonlyargs + arguments.args
    pairs = list(zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults, strict=True))
    pairs += [(a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d is not None]
    defaults = {}
    for argument, default in pairs:
        try:
            defaults[argument.arg] = ast.literal_eval(default)
        except ValueError:
            continue
    return defaults
