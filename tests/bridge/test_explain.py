"""A student function that raises: its exception is quoted as the program wrote it (as code), and
everything the kit says around it, with what the common NumPy and Python errors mean, is in the
language in use.

The exceptions are real ones: a small submission file whose functions make each mistake, called
through the in-process bridge as `backprop-lab check` calls them.
"""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from grader import i18n
from grader.bridge import StudentCodeError
from grader.bridge.inprocess import InProcessBridge
from tests.language import english_left

SUBMISSION = textwrap.dedent('''\
    import numpy as np

    def add_bias(a):
        return a + np.ones((2, 32))  # adds the wrong array

    def mat_product(a):
        return a @ np.ones((1, 3))

    def dot_product(a):
        return np.dot(a, np.ones((2, 32)))

    def pick_entry(a):
        return a[0, 7]

    def read_grads(a):
        grads = {"dW2": a}
        return grads["dW1"]

    def read_params(a):
        parameters = None  # a helper that forgot its return
        return parameters["W1"]
''')
# function -> (Python's own words, quoted as code; what the explanation must say, in Chinese)
EXPECTED = {
    "add_bias": ("`ValueError: operands could not be broadcast together with shapes (2,4) (2,32)`",
                  "NumPy 无法对形状为 (2,4), (2,32) 的数组做逐元素运算"),
    "mat_product": ("`ValueError: matmul: Input operand 1 has a mismatch", "这里 A 有 4 列，B 有 1 行"),
    "dot_product": ("`ValueError: shapes (2,4) and (2,32) not aligned", "第一个数组的列数必须等于第二个数组的行数"),
    "pick_entry": ("`IndexError: index 7 is out of bounds for axis 1 with size 4`",
                   "下标 7 超出了数组的范围：第 1 轴只有 4 个元素"),
    "read_grads": ("`KeyError: 'dW1'`", "字典里没有键 'dW1'"),
    "read_params": ("`TypeError: 'NoneType' object is not subscriptable`", "忘了 return"),
}


@pytest.fixture(scope="module")
def bridge(tmp_path_factory):
    path = tmp_path_factory.mktemp("explain") / "two_layer_net.py"
    path.write_text(SUBMISSION, encoding="utf-8")
    return InProcessBridge.from_file(path)


def explained(bridge: InProcessBridge, function: str, language: str) -> str:
    with pytest.raises(StudentCodeError) as raised, i18n.speaking(language):
        bridge.call(function, np.ones((2, 4)))
    with i18n.speaking(language):
        return raised.value.explain()


@pytest.mark.parametrize("function", EXPECTED)
def test_an_exception_is_quoted_and_explained_in_chinese(bridge, function):
    text = explained(bridge, function, "zh")
    quoted, meaning = EXPECTED[function]
    assert text.startswith(f"{function} 抛出了 {quoted}"), text
    assert meaning in text, text
    assert english_left(text) == [], text
    assert "中：`" in text.splitlines()[-1]  # the student's own line, quoted as code too


@pytest.mark.parametrize("function", EXPECTED)
def test_the_same_exception_is_explained_in_english(bridge, function):
    text = explained(bridge, function, "en")
    assert text.startswith(f"{function} raised {EXPECTED[function][0]}"), text
    assert len(text.splitlines()) >= 3 and not any("\u4e00" <= c <= "\u9fff" for c in text), text


def test_an_uncommon_exception_is_quoted_without_a_guess(tmp_path):
    path = tmp_path / "two_layer_net.py"
    path.write_text("def my_step(a):\n    raise RuntimeError('my own message')\n", encoding="utf-8")
    text = explained(InProcessBridge.from_file(path), "my_step", "zh")
    assert text.splitlines()[0] == "my_step 抛出了 `RuntimeError: my own message`"
    assert len(text.splitlines()) == 2 and english_left(text) == [], text  # the exception, then its line
