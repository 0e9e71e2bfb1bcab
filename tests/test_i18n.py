"""How the language is chosen, and what a translated text does."""
from __future__ import annotations

import pytest

from grader import i18n


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """No language in the environment or the system, no kit default, nothing chosen."""
    for variable in (i18n.ENVIRONMENT, *i18n.LOCALE_VARIABLES):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(i18n.locale, "getlocale", lambda: (None, None))
    monkeypatch.setattr(i18n, "DEFAULT_FILE", tmp_path / "default")
    monkeypatch.setattr(i18n, "_chosen", None)
    return monkeypatch


def test_english_without_any_hint(environment):
    assert i18n.current() == "en"


@pytest.mark.parametrize("value, language", [("zh_CN.UTF-8", "zh"), ("zh_TW", "zh"), ("en_GB.UTF-8", "en"),
                                             ("fr_FR.UTF-8", "en"), ("C.UTF-8", "en")])
def test_the_locale_decides(environment, value, language):
    environment.setenv("LANG", value)
    assert i18n.current() == language


def test_the_variable_beats_the_locale_and_the_option_beats_both(environment):
    environment.setenv("LC_ALL", "en_US.UTF-8")
    environment.setenv(i18n.ENVIRONMENT, "zh")
    assert i18n.current() == "zh"
    assert i18n.use("en") == "en"
    assert i18n.use(None) == "zh"


def test_the_kits_default_beats_the_locale_and_the_variable_beats_it(environment):
    environment.setenv("LANG", "en_US.UTF-8")
    i18n.DEFAULT_FILE.write_text("zh\n", encoding="utf-8")
    assert i18n.current() == "zh"
    environment.setenv(i18n.ENVIRONMENT, "en")
    assert i18n.current() == "en"


@pytest.mark.parametrize("system, language", [("Chinese (Simplified)_China", "zh"), ("zh_CN", "zh"),
                                              ("English_United States", "en"), (None, "en")])
def test_without_locale_variables_the_systems_locale_decides(environment, system, language):
    environment.setattr(i18n.locale, "getlocale", lambda: (system, None))
    assert i18n.current() == language


def test_an_unknown_language_is_refused(environment):
    with pytest.raises(ValueError, match="choose from en, zh"):
        i18n.use("fr")


def test_a_message_keeps_its_english_as_id_and_shows_its_translation(environment):
    environment.setattr(i18n, "_", lambda message, **fields: "<" + message.format(**fields) + ">")
    title = i18n.Message("values on {inputs}", inputs=i18n.Message("X ({m}, 2)", m=5))
    assert title.english == "values on X (5, 2)"
    assert str(title) == "<values on <X (5, 2)>>"
    assert title == i18n.Message("values on {inputs}", inputs=i18n.Message("X ({m}, 2)", m=5))


@pytest.mark.parametrize("number, shown", [(1, "1 point"), (2, "2 points"), (1.0, "1 point"), (0.5, "0.5 points"),
                                           (0, "0 points")])
def test_english_plurals(environment, number, shown):
    assert i18n.ngettext("{number} point", "{number} points", number) == shown


def test_placeholders_ignore_literal_braces():
    assert i18n.placeholders("{what} is {{not a field}} {shape!r}") == {"what", "shape"}


@pytest.mark.parametrize("joined, tidied", [
    ("代价 应为单个 Python 浮点数；得到 形状为 (1, 1) 的数组（float64）。 请返回",
     "代价应为单个 Python 浮点数；得到形状为 (1, 1) 的数组（float64）。请返回"),  # a field at a sentence's start
    ("db1 的形状应为 (1, 4)；得到 (4,)。 dW1 的形状", "db1 的形状应为 (1, 4)；得到 (4,)。dW1 的形状"),  # two messages
    ("得分：85/85。 另有 24 项隐藏检查", "得分：85/85。另有 24 项隐藏检查"),
])
def test_tidy_removes_the_spaces_joining_leaves_in_chinese(joined, tidied):
    assert i18n.tidy(joined) == tidied


@pytest.mark.parametrize("text", [
    "训练后的 W1 有 8 个元素是 NaN（X (5, 2), n_h 4，种子 10）",  # code beside characters keeps its spaces
    "在月亮数据（1000 个样本）上",
    "第一行。\n  第二行：缩进\n（第三行）",  # newlines and indentation
    "`ValueError: 形状 不对 。` 是你的程序的消息",  # the student's own text, quoted as code
    "dW1 should have shape (2, 4); got (2, 5). See “returns float” — then (m, m).",  # English
])
def test_tidy_leaves_code_newlines_and_english_alone(text):
    assert i18n.tidy(text) == text
