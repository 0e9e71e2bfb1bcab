"""`backprop-lab assign` writes the lab notebooks: the handout's sections beside the stub's functions,
a check cell after each function, in one language each, and `assign --check` sees a stale one."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from grader.commands import assign
from grader.contract import TODO_FUNCTIONS
from tests.language import english_left

HAN = re.compile(r"[\u4e00-\u9fff]")


def notebook(repo_root: Path, language: str) -> nbformat.NotebookNode:
    return nbformat.read(repo_root / "student" / f"lab.{language}.ipynb", as_version=nbformat.NO_CONVERT)


def handout_section(repo_root: Path, language: str, number: str) -> str:
    """Section ``number`` of the handout, cut here by its heading (independently of the generator)."""
    text = (repo_root / "docs" / f"handout.{language}.md").read_text(encoding="utf-8")
    return text.split(f"\n## {number}.")[1].split("\n## ")[0]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_each_notebook_is_valid_nbformat_4_5_with_fixed_cell_ids(repo_root, language):
    nb = notebook(repo_root, language)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    ids = [cell.id for cell in nb.cells]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_todo_function_has_its_cell_then_a_check_cell_in_handout_order(repo_root, language):
    code = [cell.source for cell in notebook(repo_root, language).cells if cell.cell_type == "code"]
    positions = []
    for function in TODO_FUNCTIONS:
        index = next(i for i, source in enumerate(code) if source.startswith(f"def {function}("))
        assert "raise NotImplementedError" in code[index]
        assert code[index + 1].splitlines()[-1] == f'check("{function}")'
        positions.append(index)
    assert positions == sorted(positions)
    assert code[-1].splitlines()[-1] == "check()"  # the last cell runs every public check
    for given in ("def sigmoid(", "def model(", "def predict("):
        assert any(source.startswith(given) for source in code)


def test_the_chinese_notebook_s_todos_and_stubs_speak_chinese_and_the_english_one_english(repo_root):
    for language, wanted in (("zh", True), ("en", False)):
        for cell in notebook(repo_root, language).cells:
            if cell.cell_type == "code" and cell.id in TODO_FUNCTIONS:
                todo = [line for line in cell.source.splitlines()
                        if "TODO" in line or "NotImplementedError" in line]
                assert todo and all(bool(HAN.search(line)) == wanted for line in todo), (language, todo)
                assert "TODO(zh)" not in cell.source


def test_the_zh_notebook_s_own_words_are_chinese(repo_root):
    nb = notebook(repo_root, "zh")
    intro = next(cell.source for cell in nb.cells if cell.id == "intro")
    comments = [line for cell in nb.cells if cell.cell_type == "code" and cell.id not in TODO_FUNCTIONS
                and cell.id not in ("sigmoid", "model", "predict") for line in cell.source.splitlines()
                if line.lstrip().startswith("#") or "  # " in line]
    assert comments
    for text in [intro, *comments]:
        assert english_left(text) == [], text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_markdown_cells_are_the_handout_s_own_sections_next_to_the_code(repo_root, language):
    cells = notebook(repo_root, language).cells
    for function, number in (("forward_propagation", "3"), ("compute_cost", "4"), ("backward_propagation", "5")):
        index = next(i for i, cell in enumerate(cells) if cell.id == function)
        before = "\n".join(cell.source for cell in cells[:index] if cell.cell_type == "markdown")
        section = handout_section(repo_root, language, number)
        formula = next(line for line in section.splitlines() if "=" in line and line.startswith(("    ", "|")))
        assert formula.strip() in before
    data = next(c.source for c in cells if c.cell_type == "code" and "make_moons(n_samples=1000" in c.source)
    assert "train_test_split(X, y, test_size=0.2, random_state=42)" in data


@pytest.fixture
def tree_copy(repo_root, tmp_path) -> Path:
    """A throw-away copy of what assign reads and writes."""
    for folder in ("solutions", "student", "examples", "docs"):
        shutil.copytree(repo_root / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_an_edited_or_missing_notebook_is_reported_stale(tree_copy, capsys):
    assert assign.main(check_only=True, root=tree_copy) == 0
    (tree_copy / "student" / "lab.en.ipynb").unlink()
    zh = tree_copy / "student" / "lab.zh.ipynb"
    nb = nbformat.read(zh, as_version=4)
    nb.cells[0].source += "\nmy notes"
    nbformat.write(nb, zh)
    assert assign.main(check_only=True, root=tree_copy) == 1
    err = capsys.readouterr().err
    assert "stale: student/lab.en.ipynb" in err and "stale: student/lab.zh.ipynb" in err


def test_a_changed_handout_section_changes_the_notebook(tree_copy, capsys):
    handout = tree_copy / "docs" / "handout.zh.md"
    handout.write_text(handout.read_text(encoding="utf-8").replace("## 4. ", "## 4. （新）", 1), encoding="utf-8")
    assert assign.main(check_only=True, root=tree_copy) == 1
    assert assign.main(root=tree_copy) == 0
    assert "（新）" in (tree_copy / "student" / "lab.zh.ipynb").read_text(encoding="utf-8")
    assert "（新）" not in (tree_copy / "student" / "lab.en.ipynb").read_text(encoding="utf-8")
