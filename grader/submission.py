"""What is graded in a submission file: the code, and where each of its lines came from.

- A ``.py`` file is graded as it is: its text runs as a module, its top-level code included.
- A ``.ipynb`` notebook (nbformat 4.x, read with the Jupyter format library) is graded by function:
  its code cells, in file order (imports first), with IPython magics (``%...`` lines, ``%%...`` cells), shell
  escapes (``!...``, ``x = !ls``) and help lines (``np.dot?``) dropped, and of their top-level
  statements only these kept:

  * ``import`` and ``from ... import`` (except of the kit itself, ``grader``, and of modules only a
    notebook front end has: ``IPython``, ``ipywidgets``, ``google.colab``);
  * ``def``, ``async def`` and ``class`` (decorators and default values included, as Python runs
    them when it defines the function);
  * constant assignments: ``NAME = value`` (``NAME: type = value``, ``A, B = value``) whose value is
    a literal or a simple expression of literals and of names already kept or built in:
    arithmetic, comparisons, ``and``/``or``, tuples, lists, sets, dicts, attributes
    (``np.pi``), subscripts and lambdas. No call, comprehension or f-string: those run code.

  Everything else never runs at grading: top-level calls (training, plots, ``check(...)``,
  ``input()``), loops, ``if``/``try`` blocks, assignments to attributes or items (what would patch
  the grader) and assignments from calls. Every kept statement runs, in file order, so the last
  definition of a name wins; a name defined in several cells gets a note saying which cell was
  graded. A function of the assignment whose ``def`` is found only in a markdown cell (a code cell
  turned into markdown) is graded as not implemented, with a note saying where its code went.
- A ``.py`` exported from a notebook (``# In[3]:`` lines or ``get_ipython()`` calls, as
  ``jupyter nbconvert --to script`` and the "Download as .py" menus write it) is read like a
  notebook's code (the same statements kept), its kept statements staying on their own lines, so
  that "line N" is a line of the file. It is read as a plain ``.py`` when it does not parse.

Cells are numbered from 1 in file order, markdown cells included (the number counts the cells from
the top of the notebook; the cell's first line, quoted next to it, finds it). The graded code of a
notebook carries one marker comment before each kept statement (``MARKER``): ``origin`` reads it
back, so that any process holding the code (the student's, the sandboxed worker) can say where a
line came from, "cell 7 (`def forward_propagation(X, parameters):`), line 3", with no other state.

Only the grading side parses a notebook (``graded_code``); the sandboxed worker receives the graded
code as text. This module imports nbformat lazily: a ``.py`` never needs it.
"""
from __future__ import annotations

import ast
import builtins
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from grader.contract import GIVEN_FUNCTIONS, SUBMISSION_FILE, TODO_FUNCTIONS
from grader.files import kind
from grader.i18n import _

NOTEBOOK_SUFFIX = ".ipynb"
MARKER = "# <<backprop-lab cell {cell} line {line}>> {first}"
_MARKER = re.compile(r"# <<backprop-lab cell (\d+) line (\d+)>> (.*)$")
_EXPORTED = re.compile(r"^# In\[[ \d]*\]:|get_ipython\(\)", re.MULTILINE)
_MAGIC = re.compile(r"^\s*(?:[%!]|[\w.,\s]+=\s*[%!])")  # %magic, !shell, x = !shell, x = %magic, help?
_MARKDOWN_DEF = re.compile(r"^def\s+([A-Za-z_]\w*)\s*\(")
_FRONT_END_MODULES = ("grader", "IPython", "ipywidgets", "google.colab")
_ASSIGNMENT_FUNCTIONS = TODO_FUNCTIONS + GIVEN_FUNCTIONS
FIRST_LINE_SHOWN = 60  # characters of a cell's first line quoted in feedback


class NotGradable(ValueError):
    """The file cannot be read as a submission; the message is one line for the student."""


@dataclass(frozen=True)
class Code:
    """text   the Python source that is graded
    notes  function -> a note for that function's feedback (which cell was graded, where its code went)
    """

    text: str
    notes: dict[str, str] = field(default_factory=dict)


def graded_code(filename: str, text: str) -> Code:
    """The code graded for the file ``filename`` (only its suffix and name are used) holding ``text``.

    Raises NotGradable for a notebook that is not valid JSON, not a notebook, older than format 4,
    or whose code cell does not parse.
    """
    if PurePath(filename).suffix.lower() == NOTEBOOK_SUFFIX:
        return _notebook_code(PurePath(filename).name, text)
    if _EXPORTED.search(text):
        return _exported_code(text)
    return Code(text)


def origin(lines: list[str], lineno: int) -> tuple[int, int, str] | None:
    """(cell, line in the cell, the cell's first line) that line ``lineno`` (from 1) of graded notebook
    code ``lines`` came from; None when the code has no marker before that line (a ``.py``'s)."""
    for index in range(min(lineno, len(lines)) - 2, -1, -1):
        found = _MARKER.match(lines[index])
        if found:  # the statement starts on the line after its marker
            return int(found.group(1)), int(found.group(2)) + lineno - index - 2, found.group(3).rstrip("\n")
    return None


def cell_name(cell: int, first: str) -> str:
    """"cell 7 (`def forward_propagation(X, parameters):`)" in the language in use."""
    return _("cell {cell} ({first})", cell=cell, first=_quoted(first))


# -- notebooks

@dataclass
class _Cell:
    number: int  # from 1, markdown cells counted
    kind: str  # "code", "markdown", "raw"
    source: str

    @property
    def first(self) -> str:
        line = next((line.strip() for line in self.source.splitlines() if line.strip()), "")
        return line[:FIRST_LINE_SHOWN] + ("..." if len(line) > FIRST_LINE_SHOWN else "")


def _notebook_code(name: str, text: str) -> Code:
    cells = _read_cells(name, text)
    futures, imports, kept, defined = [], [], [], {}  # defined: function or class name -> its cells, in order
    names = set(vars(builtins))
    for cell in cells:
        if cell.kind != "code":
            continue
        source = _without_magics(cell.source)
        try:
            tree = ast.parse(source)
        except SyntaxError as error:
            raise NotGradable(_("{file} does not parse: {cell}, line {line}: {error}", file=name,
                                cell=cell_name(cell.number, cell.first), line=error.lineno,
                                error=_quoted(str(error.msg)))) from None
        lines = source.splitlines(keepends=True)
        for statement in tree.body:
            if _kept(statement, names):
                start = _start_line(statement)
                # Imports go first (`from __future__` must: Python wants it first in a file), so that a
                # function cell above the import cell still defines its function, as it did in the kernel
                into = futures if isinstance(statement, ast.ImportFrom) and statement.module == "__future__" \
                    else imports if isinstance(statement, (ast.Import, ast.ImportFrom)) else kept
                into.append(MARKER.format(cell=cell.number, line=start, first=cell.first) + "\n")
                into.append(_statement_text(lines, statement) + "\n")
                for defined_name in _defined(statement):
                    cells_defining = defined.setdefault(defined_name, [])
                    if cell.number not in cells_defining:  # twice in one cell: the student sees which wins
                        cells_defining.append(cell.number)
    notes = _repeated_notes(defined)
    for function, cell in _in_markdown(cells, defined).items():
        kept.append(MARKER.format(cell=cell.number, line=1, first=cell.first) + "\n")
        kept.append(f"def {function}(*args, **kwargs):\n    raise NotImplementedError({function!r})\n")
        notes[function] = _("The code of {function} is in {cell}, a markdown cell, so it was not graded: turn "
                            "that cell back into a code cell.", function=function,
                            cell=cell_name(cell.number, cell.first))
    return Code("".join(futures + imports + kept), notes)


def _read_cells(name: str, text: str) -> list[_Cell]:
    """The notebook's cells, through nbformat. Raises NotGradable with one line."""
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise NotGradable(_("{file} is not a Jupyter notebook: it is not valid JSON ({error}); submit the .ipynb "
                            "file as Jupyter saved it", file=name, error=error)) from None
    version = raw.get("nbformat") if isinstance(raw, dict) else None
    if not isinstance(version, int) or not isinstance(raw.get("cells", raw.get("worksheets")), list):
        raise NotGradable(_("{file} is not a Jupyter notebook: valid JSON, but no notebook's cells in it; submit "
                            "the .ipynb file as Jupyter saved it", file=name))
    if version < 4:
        raise NotGradable(_("{file} is a notebook of format {version}, older than the format 4 that the grader "
                            "reads: open it in a current Jupyter, save it, and submit it again",
                            file=name, version=version))
    import nbformat  # lazily: only notebooks need it

    try:
        notebook = nbformat.versions[4].to_notebook_json(raw, minor=raw.get("nbformat_minor", 0))
        return [_Cell(number, str(cell.get("cell_type", "")), _joined(cell.get("source", "")))
                for number, cell in enumerate(notebook.cells, start=1)]
    except (AttributeError, TypeError, ValueError) as error:
        raise NotGradable(_("{file} is not a Jupyter notebook: its cells cannot be read ({error}); submit the "
                            ".ipynb file as Jupyter saved it", file=name, error=error)) from None


def _joined(source: object) -> str:
    return "".join(map(str, source)) if isinstance(source, list) else str(source)


def _without_magics(source: str) -> str:
    """``source`` with IPython's own syntax blanked (lines kept, so line numbers stay): the whole
    cell for a cell magic (``%%time``), else each magic, shell or help line."""
    lines = source.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if first.lstrip().startswith("%%"):
        return ""
    return "\n".join("" if _MAGIC.match(line) or line.rstrip().endswith("?") else line for line in lines)


def _in_markdown(cells: list[_Cell], defined: dict[str, list[int]]) -> dict[str, _Cell]:
    """The assignment's functions defined in no code cell whose ``def`` starts a line of a markdown
    cell outside a fenced code block (a code cell turned into markdown), with the last such cell."""
    found: dict[str, _Cell] = {}
    for cell in cells:
        if cell.kind != "markdown":
            continue
        fenced = False
        for line in cell.source.splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            elif not fenced and (match := _MARKDOWN_DEF.match(line)):
                if match.group(1) in _ASSIGNMENT_FUNCTIONS and match.group(1) not in defined:
                    found[match.group(1)] = cell
    return found


def _repeated_notes(defined: dict[str, list[int]]) -> dict[str, str]:
    return {name: _("{function} is defined in cells {cells}; cell {graded} was graded (the last one: a "
                    "notebook is graded from top to bottom, whatever order its cells ran in).", function=name,
                    cells=_(", ").join(map(str, cells)), graded=cells[-1])
            for name, cells in defined.items() if len(cells) > 1}


# -- .py files exported from a notebook

def _exported_code(text: str) -> Code:
    """The kept statements of an exported notebook, each on its own lines of the file."""
    try:
        tree = ast.parse(text)
    except SyntaxError:  # graded as a plain .py: its import says where it does not parse
        return Code(text)
    lines, kept, defined = text.splitlines(keepends=True), [], {}
    names = set(vars(builtins))
    for statement in tree.body:
        if _kept(statement, names):
            start = _start_line(statement)
            kept.extend([""] * (start - 1 - len(kept)))  # back on its own line; never before the last one
            kept.extend(_statement_text(lines, statement).split("\n"))
            for name in _defined(statement):
                defined.setdefault(name, []).append(start)
    notes = {name: _("{function} is defined at lines {lines}; the one at line {graded} was graded (the last "
                     "one).", function=name, lines=_(", ").join(map(str, starts)), graded=starts[-1])
             for name, starts in defined.items() if len(starts) > 1}
    return Code("\n".join(kept) + "\n", notes)


# -- the statements kept

def _kept(statement: ast.stmt, names: set[str]) -> bool:
    """Whether the top-level ``statement`` is kept; the names it binds are added to ``names``."""
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        modules = [statement.module or ""] if isinstance(statement, ast.ImportFrom) else \
            [alias.name for alias in statement.names]
        if getattr(statement, "level", 0) or any(_front_end(module) for module in modules):
            return False
        names.update((alias.asname or alias.name).split(".")[0] for alias in statement.names)
        return True
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names.add(statement.name)
        return True
    targets = statement.targets if isinstance(statement, ast.Assign) else \
        [statement.target] if isinstance(statement, ast.AnnAssign) and statement.value is not None else None
    if targets is None or not _constant(statement.value, names):
        return False
    bound = [node for target in targets for node in ast.walk(target)]
    if not all(isinstance(node, (ast.Name, ast.Tuple, ast.List, ast.Store)) for node in bound):
        return False  # an attribute or an item: what would patch a module, the grader's included
    names.update(node.id for node in bound if isinstance(node, ast.Name))
    return True


def _front_end(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in _FRONT_END_MODULES)


_CONSTANT_NODES = (ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.UnaryOp, ast.BinOp, ast.BoolOp,
                   ast.Compare, ast.IfExp, ast.Attribute, ast.Subscript, ast.Slice, ast.Starred, ast.Load,
                   ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


def _constant(value: ast.expr, names: set[str]) -> bool:
    """A literal or a simple expression of literals and of ``names``; a lambda (its body runs only
    when called, on names it looks up then)."""
    if isinstance(value, ast.Lambda):
        return all(_constant(default, names) for default in value.args.defaults + value.args.kw_defaults
                   if default is not None)
    for node in ast.walk(value):
        if isinstance(node, ast.Name):
            if node.id not in names:
                return False
        elif not isinstance(node, _CONSTANT_NODES):
            return False
    return True


def _defined(statement: ast.stmt) -> list[str]:
    return [statement.name] if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else []


def _start_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", [])
    return min([statement.lineno] + [d.lineno for d in decorators])


def _statement_text(lines: list[str], statement: ast.stmt) -> str:
    """The source of ``statement`` (its decorators included), alone even on a line shared with others."""
    start = _start_line(statement)
    column = statement.col_offset if start == statement.lineno else 0
    end, end_column = statement.end_lineno or statement.lineno, statement.end_col_offset
    chosen = [line.encode("utf-8") for line in lines[start - 1:end]]  # ast's columns count UTF-8 bytes
    if end_column is not None:
        chosen[-1] = chosen[-1][:end_column]
    chosen[0] = chosen[0][column:]
    return b"".join(chosen).decode("utf-8").rstrip("\n")


def _quoted(text: str) -> str:
    return "`" + text.strip().replace("`", "'") + "`"


# -- one student, several files

def written(text: str) -> int:
    """How many of the assignment's functions to write the graded code ``text`` defines with more
    than a stub's body (only a docstring, ``pass``, ``...`` or ``raise NotImplementedError``)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return 0
    last = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    return sum(1 for name in TODO_FUNCTIONS if name in last and not _stub(last[name]))


def _stub(function: ast.FunctionDef) -> bool:
    body = function.body[1:] if ast.get_docstring(function) is not None else function.body
    return all(isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
               or (isinstance(s, ast.Raise) and "NotImplementedError" in ast.dump(s)) for s in body)


def choose(paths: list[Path]) -> tuple[Path, str]:
    """The file to grade among one student's files ``paths`` (``two_layer_net.py`` and notebooks): the one
    with the most of the assignment's functions written (``written``); on a tie the ``.py`` (the file the
    assignment names), then the first by name. Returns it and a note saying why, "" when there was no choice.
    A file that cannot be read counts as having none written (the bridge says why when it is graded)."""
    if len(paths) == 1:
        return paths[0], ""
    counts = {path: _written_in(path) for path in paths}
    ordered = sorted(paths, key=lambda p: (-counts[p], p.suffix != ".py", p.name))
    chosen, others = ordered[0], ordered[1:]
    return chosen, _("graded {chosen}, in which {count} of the {total} functions to write are written; not {others}",
                     chosen=chosen.name, count=counts[chosen], total=len(TODO_FUNCTIONS),
                     others=_(", ").join(_("{file} ({count} written)", file=p.name, count=counts[p]) for p in others))


def _written_in(path: Path) -> int:
    if kind(path) != "file":
        return 0
    try:
        with open(path, "rb") as handle:  # a notebook's outputs may be large: its code is what is counted
            text = handle.read(256 << 20).decode("utf-8", "replace")
        return written(graded_code(path.name, text).text)
    except (OSError, NotGradable):
        return 0


def student_file(path: Path) -> tuple[Path, str]:
    """The file that ``check`` or ``train`` reads for ``path``: ``path`` itself unless it is a folder; in a
    folder, its ``two_layer_net.py`` or one of its notebooks (``choose``), with the note that says which."""
    path = Path(path)
    if kind(path) != "folder":
        return path, ""
    own = [path / SUBMISSION_FILE] if kind(path / SUBMISSION_FILE) == "file" else []
    own += sorted(p for p in path.glob("*" + NOTEBOOK_SUFFIX) if not p.name.startswith(".") and kind(p) == "file")
    return choose(own) if own else (path / SUBMISSION_FILE, "")
