"""What is graded in a notebook (grader/submission.py): the statements kept, the cells they came from,
and one clear line for a file that is no notebook."""
from __future__ import annotations

import json
import time

import pytest

from grader import i18n
from grader.submission import NotGradable, graded_code, origin, written
from tests.notebooks.build import FRONT_ENDS, large_plot, notebook


def text_of(cells, **options) -> str:
    return json.dumps(notebook(cells, **options))


def graded(cells, **options):
    return graded_code("lab.ipynb", text_of(cells, **options))


def run(code) -> dict:
    namespace: dict = {}
    exec(compile(code.text, "lab.ipynb", "exec"), namespace)
    return namespace


def test_only_imports_definitions_and_constants_are_kept():
    code = graded([
        ("code", "import numpy as np\nimport grader\nfrom IPython.display import display\nSCALE = 2 * np.pi"),
        ("code", "%matplotlib inline\n!pip install numpy\nfiles = !ls\ndef double(x):\n    return SCALE * x"),
        ("code", "grader.runner.run_checks = None\nnp.random.seed = print\nanswer = input('name?')"),
        ("code", "check('double')\nfor _ in range(3):\n    double(1)\nresult = double(2)\nSHAPES = {'W1': (2, 4)}"),
        ("code", "%%time\ndef slow():\n    pass"),
        ("code", "np.dot?"),
    ])
    namespace = run(code)
    assert namespace["double"](1) == pytest.approx(2 * 3.141592653589793)
    assert namespace["SHAPES"] == {"W1": (2, 4)}
    for never in ("grader", "display", "files", "answer", "result", "slow", "check"):
        assert never not in namespace, never
    assert "input(" not in code.text and "run_checks" not in code.text and "seed = print" not in code.text


def test_a_function_cell_above_its_import_cell_still_defines_the_function():
    namespace = run(graded([("code", "def f(x: np.ndarray = np.pi):\n    return x"), ("code", "import numpy as np")]))
    assert namespace["f"]() == pytest.approx(3.14159, abs=1e-5)


@pytest.mark.parametrize("wrong_first", [True, False])
def test_the_last_definition_wins_and_the_note_says_which_cell(wrong_first):
    wrong, right = "def f():\n    return 'old'", "def f():\n    return 'fixed'"
    cells = [("markdown", "# f"), ("code", wrong if wrong_first else right), ("code", "f()"),
             ("code", right if wrong_first else wrong)]
    code = graded(cells)
    assert run(code)["f"]() == ("fixed" if wrong_first else "old")
    with i18n.speaking("en"):
        assert graded(cells).notes["f"].startswith("f is defined in cells 2, 4; cell 4 was graded")
    with i18n.speaking("zh"):
        assert "第 4 个单元格" in graded(cells).notes["f"]


def test_a_function_cell_turned_into_markdown_is_not_implemented_and_the_note_says_where():
    cells = [("code", "import numpy as np"), ("markdown", "## forward\n```python\ndef sigmoid(z):\n```"),
             ("markdown", "def forward_propagation(X, parameters):\n    Z1 = X @ parameters['W1']")]
    with i18n.speaking("en"):
        code = graded(cells)
    with pytest.raises(NotImplementedError):
        run(code)["forward_propagation"]()
    assert "sigmoid" not in run(code)  # a def inside a fenced block of the handout's prose is no lost code
    assert code.notes["forward_propagation"].startswith(
        "The code of forward_propagation is in cell 3 (`def forward_propagation(X, parameters):`), a markdown cell")


def test_every_front_end_and_nbformat_4_0_to_4_5_give_the_same_code():
    cells = [("markdown", "# lab"), ("code", "import numpy as np\n\ndef f(x):\n    return np.tanh(x)"),
             ("code", "f(1)")]
    codes = {graded(cells, front_end=front_end, minor=minor).text
             for front_end in FRONT_ENDS for minor in (None, 0, 1, 2, 3, 4, 5)}
    assert len(codes) == 1 and "def f(x):" in codes.pop()


def test_a_cell_source_saved_as_one_string_reads_like_one_saved_as_lines():
    as_lines = notebook([("code", "def f():\n    return 1\n")])
    as_string = json.loads(json.dumps(as_lines))
    as_string["cells"][0]["source"] = "def f():\n    return 1\n"
    assert graded_code("a.ipynb", json.dumps(as_string)).text == graded_code("a.ipynb", json.dumps(as_lines)).text


@pytest.mark.parametrize("text, words", [
    ("def f(): pass", "is not a Jupyter notebook: it is not valid JSON"),
    ('{"cells": "nope"}', "is not a Jupyter notebook: valid JSON, but no notebook's cells"),
    ('[1, 2]', "is not a Jupyter notebook: valid JSON, but no notebook's cells"),
    ('{"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}', "is a notebook of format 3"),
])
def test_what_is_not_a_notebook_is_said_in_one_line(text, words):
    with i18n.speaking("en"), pytest.raises(NotGradable) as raised:
        graded_code("lab.ipynb", text)
    assert str(raised.value).startswith("lab.ipynb ") and words in str(raised.value)
    assert "\n" not in str(raised.value)
    with i18n.speaking("zh"), pytest.raises(NotGradable) as raised:
        graded_code("lab.ipynb", text)
    assert "笔记本" in str(raised.value)


def test_a_cell_that_does_not_parse_is_named_with_its_first_line():
    with i18n.speaking("en"), pytest.raises(NotGradable) as raised:
        graded([("code", "import numpy as np"), ("code", "def f(x):\n    return (x")])
    assert str(raised.value).startswith("lab.ipynb does not parse: cell 2 (`def f(x):`), line ")


def test_each_line_of_graded_code_points_back_at_its_cell_and_line():
    code = graded([("markdown", "intro"), ("code", "import numpy as np"),
                   ("code", "x = 1\nprint(x)\n\n@staticmethod\ndef f(a):\n    b = a\n    return b")])
    lines = code.text.splitlines(keepends=True)
    at = {line.strip(): number for number, line in enumerate(lines, start=1)}
    assert origin(lines, at["return b"]) == (3, 7, "x = 1")
    assert origin(lines, at["@staticmethod"]) == (3, 4, "x = 1")
    assert origin(lines, at["import numpy as np"]) == (2, 1, "import numpy as np")
    assert origin("def f():\n    pass\n".splitlines(True), 2) is None  # a .py's lines are its own


def test_megabytes_of_outputs_are_read_quickly():
    cells = [("code", f"def f{n}():\n    return {n}") for n in range(10)]
    text = text_of(cells, outputs=[large_plot(2)])  # 10 cells x 2 MB of plot
    assert len(text) > 20_000_000
    started = time.perf_counter()
    code = graded_code("big.ipynb", text)
    assert time.perf_counter() - started < 2.0
    assert run(code)["f9"]() == 9


def test_an_exported_notebook_keeps_its_definitions_on_their_own_lines():
    exported = ("#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\nimport numpy as np\n"
                "get_ipython().run_line_magic('matplotlib', 'inline')\n\n\n# In[2]:\n\n\n"
                "def f(x):\n    return np.tanh(x)\n\n\nf(2); answer = input()\n\n"
                "# In[3]:\n\n\ndef f(x):\n    return x\n")
    code = graded_code("lab.py", exported)
    assert "get_ipython" not in code.text and "input" not in code.text
    assert code.text.splitlines()[13:15] == ["def f(x):", "    return np.tanh(x)"]  # lines 14 and 15, as in the file
    assert run(code)["f"](3) == 3
    with i18n.speaking("en"):
        assert graded_code("lab.py", exported).notes["f"].startswith("f is defined at lines 14, 23; the one at line 23")


def test_a_plain_py_is_graded_as_it_is():
    source = "import numpy as np\nprint('hello')\nnp.random.seed(0)\n"
    assert graded_code("two_layer_net.py", source).text == source


def test_written_counts_the_functions_with_more_than_a_stub():
    stub = 'def forward_propagation(X, parameters):\n    """doc"""\n    raise NotImplementedError("todo")\n'
    done = "def compute_cost(A2, Y):\n    return 0.0\n"
    assert written(stub + done) == 1
    assert written(stub) == 0
