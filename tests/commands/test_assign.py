"""`backprop-lab assign`: student/ is generated from solutions/, fresh, and leaks no solution code."""
from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from grader.cli import main as cli_main
from grader.commands import assign
from grader.contract import SUBMISSION_FILE, TODO_FUNCTIONS
from grader.generated import stale_files
from grader.markers import MarkerError, student_source
from tests.language import english_left

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"

HAN = re.compile(r"[\u4e00-\u9fff]")


def solution_blocks(source: str) -> list[list[str]]:
    """The lines between each BEGIN/END pair (parsed here, independently of assign)."""
    blocks, current = [], None
    for line in source.splitlines():
        if line.strip() == BEGIN:
            current = []
        elif line.strip() == END:
            blocks.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return blocks


@pytest.fixture
def kit_copy(repo_root, tmp_path) -> Path:
    """A throw-away copy of the tree assign reads and writes."""
    for folder in ("solutions", "student", "examples", "docs"):
        shutil.copytree(repo_root / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_assign_check_exits_0_on_the_repository(capsys):
    assert cli_main(["assign", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_a_fresh_copy_is_not_stale(kit_copy):
    assert stale_files(kit_copy) == []
    assert assign.main(check_only=True, root=kit_copy) == 0


def test_an_edited_stub_is_stale(kit_copy, capsys):
    stub = kit_copy / "student" / SUBMISSION_FILE
    stub.write_text(stub.read_text(encoding="utf-8") + "\n# my notes\n", encoding="utf-8")
    assert stale_files(kit_copy) == [stub]
    assert assign.main(check_only=True, root=kit_copy) != 0
    assert f"student/{SUBMISSION_FILE}" in capsys.readouterr().err
    assert stub.read_text(encoding="utf-8").endswith("# my notes\n")  # --check never writes


def test_a_missing_example_is_stale(kit_copy):
    example = kit_copy / "examples" / "submissions" / "reference.py"
    example.unlink()
    assert stale_files(kit_copy) == [example]
    assert assign.main(check_only=True, root=kit_copy) != 0


def test_an_edited_solution_makes_the_generated_files_stale(kit_copy):
    solution = kit_copy / "solutions" / SUBMISSION_FILE
    text = solution.read_text(encoding="utf-8")
    solution.write_text(text.replace("Create the network's weights and biases.",
                                     "Create the weights and the biases of the network."), encoding="utf-8")
    stale = stale_files(kit_copy)
    assert kit_copy / "student" / SUBMISSION_FILE in stale
    assert kit_copy / "examples" / "submissions" / "reference.py" in stale


def test_assign_rewrites_stale_files(kit_copy, capsys):
    stub = kit_copy / "student" / SUBMISSION_FILE
    stub.write_text("# edited by hand\n", encoding="utf-8")
    (kit_copy / "student" / "conftest.py").unlink()
    assert assign.main(root=kit_copy) == 0
    assert stale_files(kit_copy) == []
    assert "raise NotImplementedError" in stub.read_text(encoding="utf-8")


@pytest.mark.parametrize("broken", [
    f"def f():\n    {BEGIN}\n    return 1\n",
    f"def f():\n    return 1\n    {END}\n",
    f"def f():\n    {BEGIN}\n    {BEGIN}\n    return 1\n    {END}\n",
])
def test_malformed_markers_are_an_error(broken, kit_copy, capsys):
    with pytest.raises(MarkerError):
        student_source(broken)
    (kit_copy / "solutions" / SUBMISSION_FILE).write_text(broken, encoding="utf-8")
    assert assign.main(check_only=True, root=kit_copy) == 2
    assert capsys.readouterr().err.startswith("error: ")


# ------------------------------------------------------------------ the generated stub


@pytest.fixture(scope="module")
def solution_text(repo_root) -> str:
    return (repo_root / "solutions" / SUBMISSION_FILE).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def stub_text(repo_root) -> str:
    return (repo_root / "student" / SUBMISSION_FILE).read_text(encoding="utf-8")


def functions(source: str) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}


def test_one_solution_block_per_todo_function(solution_text):
    assert len(solution_blocks(solution_text)) == len(TODO_FUNCTIONS)


def test_every_solution_block_became_a_raise_not_implemented(stub_text):
    stubs = functions(stub_text)
    for name in TODO_FUNCTIONS:
        body = stubs[name].body
        assert isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant), f"{name}: docstring kept"
        assert len(body) == 2, f"{name}: only the docstring and the raise"
        statement = body[1]
        assert isinstance(statement, ast.Raise)
        assert isinstance(statement.exc, ast.Call) and statement.exc.func.id == "NotImplementedError"
        message = statement.exc.args[0].value
        assert message.startswith(f"{name}: ") and len(message) > len(name) + 10


def test_stubs_keep_every_signature_and_the_given_functions(solution_text, stub_text):
    solution, stubs = functions(solution_text), functions(stub_text)
    assert solution.keys() == stubs.keys()
    for name, node in solution.items():
        assert ast.dump(node.args) == ast.dump(stubs[name].args), name
        assert ast.get_docstring(node) == ast.get_docstring(stubs[name]), name
        if name not in TODO_FUNCTIONS:
            assert ast.dump(node) == ast.dump(stubs[name]), f"given function {name} changed"


def test_no_solution_line_appears_in_the_stub(solution_text, stub_text):
    """Lines the given code has too (`return parameters` ends model) are not solution code."""
    inside = {line.strip() for block in solution_blocks(solution_text) for line in block} - {""}
    outside = {line.strip() for line in lines_outside_blocks(solution_text)}
    assert inside - outside  # there is solution code to look for
    leaked = [line for line in stub_text.splitlines() if line.strip() in inside - outside]
    assert leaked == []


def lines_outside_blocks(source: str) -> list[str]:
    kept, inside = [], False
    for line in source.splitlines():
        if line.strip() in (BEGIN, END):
            inside = line.strip() == BEGIN
        elif not inside:
            kept.append(line)
    return kept


def test_the_stub_has_no_solution_markers(stub_text):
    assert BEGIN not in stub_text and END not in stub_text


def not_implemented_messages(stub: str) -> dict[str, str]:
    """function -> the text of the NotImplementedError its stub raises."""
    found = {}
    for name, node in functions(stub).items():
        for raised in (n for n in ast.walk(node) if isinstance(n, ast.Raise) and isinstance(n.exc, ast.Call)):
            found[name] = raised.exc.args[0].value
    return found


def test_every_todo_and_not_implemented_error_speaks_english_and_chinese(stub_text):
    """One stub for every student: each TODO comes with its Chinese (TODO(zh)), and the error a
    student sees when calling an unwritten function says both."""
    messages = not_implemented_messages(stub_text)
    assert sorted(messages) == sorted(TODO_FUNCTIONS)
    for function, message in messages.items():
        english, _slash, chinese = message.removeprefix(f"{function}: ").partition(" / ")
        assert english and not HAN.search(english), message
        assert HAN.search(chinese) and not english_left(chinese), message
    todos = [line.strip() for line in stub_text.splitlines() if line.strip().startswith("# TODO")]
    english = [t for t in todos if t.startswith("# TODO:")]
    chinese = [t for t in todos if t.startswith("# TODO(zh):")]
    assert len(english) == len(chinese) == len(TODO_FUNCTIONS)
    assert all(HAN.search(t) and not english_left(t.removeprefix("# TODO(zh):")) for t in chinese), chinese


def test_a_block_without_a_chinese_todo_keeps_an_english_error():
    solution = "def f(x):\n    # TODO: double x.\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION\n"
    assert 'raise NotImplementedError("f: double x")' in student_source(solution).replace("'", '"')
