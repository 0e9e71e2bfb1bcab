"""The lab as a Jupyter notebook, one per language, built from what is already written elsewhere.

Nothing here is assignment text of its own: the markdown cells are sections of the handout
(``docs/handout.<language>.md``, found by their numbers, so both languages share one plan), the
function cells are the functions of the stub (``markers.student_source`` in that language: its TODO
comments and ``NotImplementedError``), the data cell is the handout's own ``make_moons`` code block,
and the few words that belong to the notebook only (how to use it, what a check cell does) come
from the catalogue. ``generated.py`` writes ``student/lab.<language>.ipynb`` from here.

The plan, in order (section numbers are the handout's; 7.1 is the data, 7.2 the six functions
with one item each, 7.3 the given functions):

    title and how to use the notebook; the setup cell (imports, the kernel helper, the language)
    1, 2                      the ideas
    7.2 item 1                initialize_parameters, then its check cell
    3                         the given sigmoid; 7.2 item 2, forward_propagation, its check cell
    4, 5                      item 3 and 4 after their section, each function and its check cell
    7.2 items 5, 6            update_parameters, batch_generator, their check cells
    6, 7.3                    why non-linear; the given model and predict
    7.1, 8                    the data cell; training with the given model, accuracies and plots
    the last cell             every public check

Every cell has a fixed id (the function it holds, ``check-<function>``, ...), so a regenerated
notebook differs only where its sources changed.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import nbformat

from grader import i18n
from grader.contract import TODO_FUNCTIONS
from grader.i18n import N_
from grader.markers import BEGIN, END, reference_source, student_source

NOTEBOOK_FILES = {"zh": "lab.zh.ipynb", "en": "lab.en.ipynb"}
KERNEL_HELPER = "grader.kernel"  # what the setup cell imports (the module runs inside the student's kernel)

INTRO = N_("This notebook is the lab itself: the handout's explanations, a code cell for each function you "
           "write, and after each one a check cell.\n\n"
           "1. Run the setup cell below first (and again after restarting the kernel).\n"
           "2. Write a function in its cell and run the cell (`Shift+Enter`), then run the check cell under it: "
           "it shows the same report as `backprop-lab check`, for that function only. A check cell never "
           "stops the notebook: a function you have not written yet is reported as not implemented.\n"
           "3. When all six pass, run the training cells, then the last cell, which runs every public check.\n\n"
           "Your work is graded by function: the grader reads the definitions in your cells (imports, "
           "functions, constants), never runs the other cells, and keeps the last definition of a name. "
           "Submit this notebook, or `two_layer_net.py` if you prefer to work in the file.")
SETUP_COMMENT = N_("Run this cell first: it imports NumPy and scikit-learn, and the checks.")
LANGUAGE_COMMENT = N_("the language of the checks' reports: en or zh")
CHECK_COMMENT = N_("the public checks of {function}: run it after its cell")
TRAIN_COMMENT = N_("trains with the given model (its own settings), prints the accuracies and draws the plots")
ALL_TITLE = N_("All the public checks")
ALL_TEXT = N_("Run this last: every public check, the training checks included, as `backprop-lab check` runs "
              "them on `two_layer_net.py`. The hidden checks run when your work is graded.")
ALL_COMMENT = N_("every public check")

DATA_LIBRARIES = ("from sklearn.datasets import make_moons", "from sklearn.model_selection import train_test_split")
GIVEN_AFTER = {"sigmoid": "3"}  # a given function placed right after a handout section


class HandoutError(ValueError):
    """The handout lacks a section the notebook's plan takes (the message names it)."""


@dataclass(frozen=True)
class Handout:
    """One language's handout, cut into the pieces the plan takes."""

    title: str
    sections: dict[str, str]  # "1" .. "9" -> the section's markdown, its heading included
    subsections: list[str]  # section 7's "###" parts: the data, the six functions, the given functions
    items: dict[str, str]  # function -> its item of 7.2 (the subsection's heading and preamble go with item 1)

    @classmethod
    def parse(cls, markdown: str) -> "Handout":
        title = next((line for line in markdown.splitlines() if line.startswith("# ")), "")
        sections = {m.group(1): m.group(0).strip() for m in re.finditer(r"^## (\d+)\..*?(?=^## |\Z)", markdown,
                                                                          re.M | re.S)}
        if not title or "7" not in sections:
            raise HandoutError("the handout needs a '# ' title and a section '## 7.'")
        subsections = [m.group(0).strip() for m in re.finditer(r"^### .*?(?=^### |\Z)", sections["7"], re.M | re.S)]
        if len(subsections) < 3:
            raise HandoutError("section 7 of the handout needs its three '###' parts: data, six functions, given")
        items, preamble = {}, ""
        for part in re.split(r"^(?=\*\*\d+\. `)", subsections[1], flags=re.M):
            name = re.match(r"\*\*\d+\. `(\w+)", part)
            if name:
                items[name.group(1)] = (preamble + part).strip()
                preamble = ""
            else:
                preamble = part
        missing = [f for f in TODO_FUNCTIONS if f not in items]
        if missing:
            raise HandoutError(f"section 7 of the handout has no item for {', '.join(missing)}")
        return cls(title, sections, subsections, items)

    def section(self, number: str) -> str:
        if number not in self.sections:
            raise HandoutError(f"the handout has no section '## {number}.'")
        return self.sections[number]


def without_python_blocks(markdown: str) -> str:
    """``markdown`` without its ```python blocks: their code is in the cells next to it."""
    return re.sub(r"\n*```python\n.*?```\n*", "\n\n", markdown, flags=re.S).strip()


def python_block(markdown: str) -> str:
    """The first ```python block of ``markdown`` (the handout's data code)."""
    found = re.search(r"```python\n(.*?)```", markdown, re.S)
    if not found:
        raise HandoutError("the handout's data section has no ```python block")
    return found.group(1).strip()


def functions(source: str) -> dict[str, str]:
    """name -> the source of each module-level function of ``source``, in file order."""
    lines = source.splitlines()
    return {node.name: "\n".join(lines[node.lineno - 1:node.end_lineno])
            for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}


def build(solution: str, handout_markdown: str, language: str, filled: bool = False) -> nbformat.NotebookNode:
    """The notebook in ``language`` ("zh", "en"): stubs in the function cells, or with ``filled`` the
    reference's code (the kit's tests run that one; it never ships)."""
    handout = Handout.parse(handout_markdown)
    code = functions(reference_source(solution) if filled else student_source(solution, language))
    for marker in (BEGIN, END):
        if any(marker in text for text in code.values()):
            raise HandoutError(f"a function cell would hold {marker!r}")
    with i18n.speaking(language):
        cells = _cells(handout, code, _setup(solution, language))
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "backprop_lab": {"language": language, "generated_by": "backprop-lab assign"},
    })
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    nbformat.validate(notebook)
    return notebook


def _cells(handout: Handout, code: dict[str, str], setup: str) -> list[nbformat.NotebookNode]:
    markdown, source = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    cells = [markdown(f"{handout.title}\n\n{i18n._(INTRO)}", id="intro"), source(setup, id="setup"),
             markdown(handout.section("1"), id="section-1"), markdown(handout.section("2"), id="section-2")]
    before = {"forward_propagation": "3", "compute_cost": "4", "backward_propagation": "5"}
    for function in TODO_FUNCTIONS:
        if function in before:
            number = before[function]
            cells.append(markdown(without_python_blocks(handout.section(number)), id=f"section-{number}"))
        cells += [source(code[name], id=name) for name, after in GIVEN_AFTER.items() if after == before.get(function)]
        cells += [markdown(handout.items[function], id=f"about-{function}"),
                  source(code[function], id=function),
                  source(f"# {i18n._(CHECK_COMMENT, function=function)}\ncheck({function!r})".replace("'", '"'),
                         id=f"check-{function}")]
    data, _six, given = handout.subsections[:3]
    cells += [markdown(handout.section("6"), id="section-6"),
              markdown(without_python_blocks(given), id="given"),
              source(code["model"], id="model"), source(code["predict"], id="predict"),
              markdown(without_python_blocks(data), id="data"), source(python_block(data), id="load-data"),
              markdown(handout.section("8"), id="section-8"),
              source(f"# {i18n._(TRAIN_COMMENT)}\nparameters = show_training(X_train, y_train, X_test, y_test)",
                     id="training"),
              markdown(f"## {i18n._(ALL_TITLE)}\n\n{i18n._(ALL_TEXT)}", id="all-checks-title"),
              source(f"# {i18n._(ALL_COMMENT)}\ncheck()", id="all-checks")]
    return cells


def imports(source: str) -> list[str]:
    """The module-level import statements of ``source`` (``__future__`` left out: a cell runs as it is)."""
    lines = source.splitlines()
    return ["\n".join(lines[node.lineno - 1:node.end_lineno]) for node in ast.parse(source).body
            if isinstance(node, (ast.Import, ast.ImportFrom)) and getattr(node, "module", "") != "__future__"]


def _setup(solution: str, language: str) -> str:
    """The setup cell: the stub's imports, the data's, and the kernel helper speaking ``language``."""
    return "\n".join((f"# {i18n._(SETUP_COMMENT)}", *imports(solution), *DATA_LIBRARIES, "",
                      f"from {KERNEL_HELPER} import check, show_training, use_language",
                      "", f'use_language("{language}")  # {i18n._(LANGUAGE_COMMENT)}'))


def notebook_text(notebook: nbformat.NotebookNode) -> str:
    """The file's text (nbformat's own JSON layout, a final newline)."""
    return nbformat.writes(notebook).rstrip("\n") + "\n"
