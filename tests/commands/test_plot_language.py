"""train's plots in the language in use, never in empty boxes: Chinese with a CJK font that has
the characters, else English and one line (in Chinese) saying how to install a font. The font
lookup is replaced here, so the tests pass whether or not this machine has a CJK font."""
from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib import font_manager

from grader import i18n
from grader.formats import plots

HAN = re.compile(r"[\u4e00-\u9fff]")
DEJAVU = font_manager.findfont("DejaVu Sans", fallback_to_default=False)  # matplotlib's own: no Chinese


@pytest.fixture
def drawn(monkeypatch):
    """Each figure plots saves, with the sans-serif fonts in force while it was saved."""
    figures = []

    def keep(figure, path):
        figures.append((figure, list(matplotlib.rcParams["font.sans-serif"])))
        return Path(path)

    monkeypatch.setattr(plots, "_save", keep)
    monkeypatch.setattr(plots, "_warned", set())
    plots.cjk_font.cache_clear()
    yield figures
    plots.cjk_font.cache_clear()


def texts(figure) -> str:
    """Every title, axis label and legend entry of the figure."""
    shown = []
    for axes in figure.axes:
        shown += [axes.get_title(), axes.get_xlabel(), axes.get_ylabel()]
        legend = axes.get_legend()
        shown += [t.get_text() for t in legend.get_texts()] if legend else []
    return "\n".join(shown)


def draw_all(tmp_path: Path) -> None:
    Y = np.array([[0], [1], [1], [0]])
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.5, 0.2], [0.1, 0.9]])
    xx, yy = plots.grid_around(X, steps=5)
    plots.label_histogram(Y, tmp_path / "a.png")
    plots.loss_curve(np.array([0.7, 0.5, np.nan]), np.array([0.8, 0.6, 0.5, 0.5, np.nan, np.nan]), tmp_path / "b.png")
    plots.decision_boundary(xx, yy, np.full(xx.size, 0.3), X, Y, X, Y, 0.75, tmp_path / "c.png")


def test_without_a_cjk_font_chinese_plots_are_english_and_say_once_how_to_get_one(drawn, monkeypatch, tmp_path,
                                                                                  capsys):
    monkeypatch.setattr(plots, "installed_fonts", lambda: [("DejaVu Sans", DEJAVU)])
    with i18n.speaking("zh"):
        draw_all(tmp_path)
        assert i18n.current() == "zh"  # English for the plots only
    assert len(drawn) == 3
    for figure, _fonts in drawn:
        shown = texts(figure)
        assert not HAN.search(shown), shown
    assert "Decision boundary of the trained network (test accuracy 0.750)" in texts(drawn[2][0])
    note = capsys.readouterr().err.strip().splitlines()
    assert len(note) == 1 and "fonts-noto-cjk" in note[0] and HAN.search(note[0]), note


def test_a_font_named_like_a_cjk_font_without_the_characters_is_not_used(monkeypatch):
    plots.cjk_font.cache_clear()
    monkeypatch.setattr(plots, "installed_fonts", lambda: [("SimHei", DEJAVU)])  # the name lies, the cmap not
    assert plots.cjk_font("训练代价") is None
    assert plots.cjk_font("cost") == "SimHei"
    plots.cjk_font.cache_clear()


def test_with_a_cjk_font_chinese_plots_are_chinese_in_that_font(drawn, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(plots, "installed_fonts", lambda: [("DejaVu Sans", DEJAVU), ("WenQuanYi Zen Hei", "wqy.ttc")])
    monkeypatch.setattr(plots, "covers", lambda file, text: file == "wqy.ttc")
    with i18n.speaking("zh"):
        draw_all(tmp_path)
    for figure, fonts in drawn:
        assert HAN.search(texts(figure)), texts(figure)
        assert fonts[0] == "WenQuanYi Zen Hei"
    assert "决策边界" in drawn[2][0].axes[0].get_title()
    assert capsys.readouterr().err == ""


def test_english_plots_need_no_cjk_font(drawn, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(plots, "installed_fonts", lambda: [])
    with i18n.speaking("en"):
        draw_all(tmp_path)
    assert texts(drawn[0][0]).startswith("The value of Label Y and its quantity")
    assert capsys.readouterr().err == ""


def test_the_characters_checked_are_the_plots_own():
    with i18n.speaking("zh"):
        needed = plots.plot_characters()
    assert {"训", "练", "决", "策"} <= set(needed)
    with i18n.speaking("en"):
        assert plots.plot_characters() == ""


@pytest.mark.skipif(plots.cjk_font("训练代价决策边界") is None, reason="no CJK font on this machine")
def test_a_real_cjk_font_draws_every_character_of_the_plots():
    with i18n.speaking("zh"):
        font = plots.cjk_font(plots.plot_characters())
    assert font in plots.CJK_FONTS
