"""PNG plots of a training run (``backprop-lab train``, the notebook's training cell).

Pure functions: each takes arrays and a path, writes one PNG and returns the path.
They draw on their own ``Figure`` with the Agg canvas, so no display is needed
and no global pyplot state is touched. Letters as in the assignment: ``m``
samples, labels ``Y (m, 1)`` in {0, 1}.

Titles, labels and legends are in the language in use. Chinese needs a font with its
characters (matplotlib's own DejaVu Sans draws empty boxes): ``cjk_font`` looks for one the
system has (CJK_FONTS, checked against the characters the plots use); without one the plots
are drawn in English and one line (in Chinese) says how to install a font.
"""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import font_manager, ft2font
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from grader import i18n
from grader.bridge.inprocess import InProcessBridge
from grader.bridge.own_model import ModelRun
from grader.contract import MoonsSplit
from grader.i18n import N_

CLASS_COLOURS = ("#3b6fb6", "#d9822b")  # label 0 blue, label 1 orange (colour-blind safe)
# probability 0 in label 0's colour, 0.5 white, 1 in label 1's colour: regions match their points
PROBABILITY_COLOURS = LinearSegmentedColormap.from_list("label_probability",
                                                        [CLASS_COLOURS[0], "white", CLASS_COLOURS[1]])
DPI = 120
PLOT_FILES = {"labels": "label_histogram.png", "loss": "loss_curve.png", "boundary": "decision_boundary.png"}

# Fonts with the Chinese characters, most wanted first: Linux (fonts-noto-cjk, fonts-wqy-*),
# Windows (SimHei, Microsoft YaHei), macOS (PingFang SC, Heiti, STHeiti), Adobe's Source Han Sans.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans CJK JP",
             "Source Han Sans", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei",
             "PingFang SC", "Heiti SC", "Heiti TC", "STHeiti", "Hiragino Sans GB", "Arial Unicode MS")
NO_CJK_FONT = N_("note: the plots are drawn in English: no font with Chinese characters was found. Install one "
                 "(Linux: sudo apt install fonts-noto-cjk; Windows: SimHei or Microsoft YaHei; macOS: PingFang SC "
                 "comes with the system), then delete matplotlib's font cache (~/.cache/matplotlib) and train again.")

# Every text the plots draw, translated where drawn with i18n._ (the catalogue has them through N_;
# fields filled in by PLOT_FIELDS to learn which characters a font needs).
HISTOGRAM_TITLE = N_("The value of Label Y and its quantity")
HISTOGRAM_X, HISTOGRAM_Y = N_("value"), N_("quantity")
BATCH_COST = N_("cost of each batch")
EPOCH_COST = N_("mean cost of the epoch")
NOT_FINITE = N_("cost not a finite number from epoch {epoch}")
COST_TITLE = N_("Training cost (binary cross-entropy)")
COST_X, COST_Y = N_("epoch"), N_("cost")
BOUNDARY = N_("boundary (probability 0.5)")
PROBABILITY = N_("predicted probability of label 1")
BOUNDARY_TITLE = N_("Decision boundary of the trained network (test accuracy {accuracy})")
POINTS = {"train": N_("train, label {label}"), "test": N_("test, label {label}")}
PLOT_TEXTS = (HISTOGRAM_TITLE, HISTOGRAM_X, HISTOGRAM_Y, BATCH_COST, EPOCH_COST, NOT_FINITE, COST_TITLE, COST_X,
              COST_Y, BOUNDARY, PROBABILITY, BOUNDARY_TITLE, *POINTS.values())
PLOT_FIELDS = {"epoch": 1, "accuracy": "0.980", "label": 0}


def installed_fonts() -> list[tuple[str, str]]:
    """(family name, file) of every font matplotlib found on this system."""
    return [(font.name, font.fname) for font in font_manager.fontManager.ttflist]


def covers(font_file: str, text: str) -> bool:
    """Whether the font in ``font_file`` has a glyph for every character of ``text`` (False if unreadable)."""
    try:
        charmap = ft2font.FT2Font(font_file).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(character) in charmap for character in set(text) if not character.isspace())


@lru_cache(maxsize=None)
def cjk_font(text: str) -> str | None:
    """The family name of the first of CJK_FONTS installed here that draws every character of
    ``text``, or None."""
    files: dict[str, list[str]] = {}
    for name, file in installed_fonts():
        files.setdefault(name, []).append(file)
    return next((name for name in CJK_FONTS if any(covers(file, text) for file in files.get(name, []))), None)


def plot_characters() -> str:
    """The characters of every plot text in the language in use (beyond ASCII: the ones a font may lack)."""
    return "".join(sorted({c for text in PLOT_TEXTS for c in i18n._(text, **PLOT_FIELDS) if ord(c) > 127}))


_warned: set[str] = set()  # NO_CJK_FONT is said once per process, not once per plot


@contextlib.contextmanager
def _drawing() -> Iterator[None]:
    """Draw in the language in use with a font that has its characters: a CJK font for Chinese when
    one is installed, else English (and NO_CJK_FONT, once, on stderr)."""
    needed = plot_characters()
    if not needed:
        yield
        return
    font = cjk_font(needed)
    if font is not None:
        with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": [font, "DejaVu Sans"],
                                    "axes.unicode_minus": False}):
            yield
        return
    if NO_CJK_FONT not in _warned:
        _warned.add(NO_CJK_FONT)
        print(i18n._(NO_CJK_FONT), file=sys.stderr)
    with i18n.speaking("en"):  # English for the labels only, then the language in use again
        yield


def label_histogram(Y: np.ndarray, path: Path) -> Path:
    """The handout's histogram of the labels (how many samples of each value).

    Inputs: Y (m, 1) or (m,) labels in {0, 1}
    """
    with _drawing():
        return _label_histogram(np.ravel(Y), path)


def _label_histogram(labels: np.ndarray, path: Path) -> Path:
    figure, axes = _new_figure((6, 4.5))
    counts, _edges, bars = axes.hist(labels, bins=[-0.5, 0.5, 1.5], rwidth=0.6, edgecolor="black")
    for bar, colour in zip(bars, CLASS_COLOURS, strict=False):
        bar.set_facecolor(colour)
    axes.bar_label(bars, labels=[f"{int(c)}" for c in counts], padding=3)
    axes.set_xticks([0, 1])
    axes.set_ylim(0, max(counts.max(), 1) * 1.15)
    axes.set_title(i18n._(HISTOGRAM_TITLE))
    axes.set_xlabel(i18n._(HISTOGRAM_X))
    axes.set_ylabel(i18n._(HISTOGRAM_Y))
    axes.grid(axis="y", alpha=0.3)
    return _save(figure, path)


def loss_curve(epoch_costs: np.ndarray, batch_costs: np.ndarray, path: Path) -> Path:
    """The cost per epoch, with every batch's cost faintly behind it.

    Inputs: epoch_costs (n_epochs,) mean batch cost of each epoch;
            batch_costs (n_batches,) every batch's cost, in order (n_batches a multiple of n_epochs)
    """
    with _drawing():
        return _loss_curve(np.ravel(epoch_costs), np.ravel(batch_costs), path)


def _loss_curve(epoch_costs: np.ndarray, batch_costs: np.ndarray, path: Path) -> Path:
    figure, axes = _new_figure((7, 4.5))
    epochs = np.arange(1, len(epoch_costs) + 1)
    if len(batch_costs) and len(epoch_costs):
        # batch i of an epoch with b batches sits at epoch - 1 + (i + 1) / b on the same axis
        batch_position = np.arange(1, len(batch_costs) + 1) * len(epoch_costs) / len(batch_costs)
        axes.plot(batch_position, batch_costs, color="0.7", linewidth=0.5, alpha=0.5,
                  label=i18n._(BATCH_COST))
    axes.plot(epochs, epoch_costs, color=CLASS_COLOURS[0], linewidth=2, label=i18n._(EPOCH_COST))
    not_finite = np.flatnonzero(~np.isfinite(epoch_costs))
    if len(not_finite):  # NaN or inf draws nothing: say where the curve stops
        axes.axvline(epochs[not_finite[0]], color="#c0392b", linestyle="--",
                     label=i18n._(NOT_FINITE, epoch=epochs[not_finite[0]]))
    axes.set_title(i18n._(COST_TITLE))
    axes.set_xlabel(i18n._(COST_X))
    axes.set_ylabel(i18n._(COST_Y))
    axes.set_xlim(0, max(len(epoch_costs), 1))
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.legend(loc="upper right")
    return _save(figure, path)


def grid_around(X: np.ndarray, steps: int = 200, margin: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """A regular grid covering the data with a margin, for drawing a decision boundary.

    Inputs:  X (m, 2)
    Returns: xx, yy (steps, steps) coordinates; stack them as np.c_[xx.ravel(), yy.ravel()]
    """
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    return np.meshgrid(np.linspace(low[0], high[0], steps), np.linspace(low[1], high[1], steps))


def decision_boundary(
    xx: np.ndarray, yy: np.ndarray, probability: np.ndarray,
    X_train: np.ndarray, Y_train: np.ndarray, X_test: np.ndarray, Y_test: np.ndarray,
    test_accuracy: float, path: Path,
) -> Path:
    """The predicted probability of class 1 over the plane, with the data on top.

    Inputs: xx, yy (s, s) grid from grid_around; probability (s * s,) or (s, s) the
            network's output on the grid; X_train (m, 2), Y_train (m, 1); X_test, Y_test
            likewise; test_accuracy in [0, 1]
    """
    with _drawing():
        return _decision_boundary(xx, yy, np.reshape(probability, xx.shape), X_train, Y_train, X_test, Y_test,
                                  test_accuracy, path)


def _decision_boundary(
    xx: np.ndarray, yy: np.ndarray, probability: np.ndarray,
    X_train: np.ndarray, Y_train: np.ndarray, X_test: np.ndarray, Y_test: np.ndarray,
    test_accuracy: float, path: Path,
) -> Path:
    figure, axes = _new_figure((7.5, 6))
    if np.isfinite(probability).any():
        filled = axes.contourf(xx, yy, probability, levels=np.linspace(0, 1, 21), cmap=PROBABILITY_COLOURS, alpha=0.5)
        axes.contour(xx, yy, probability, levels=[0.5], colors="black", linewidths=1.5)
        axes.plot([], [], color="black", linewidth=1.5, label=i18n._(BOUNDARY))  # legend entry only
        figure.colorbar(filled, ax=axes, label=i18n._(PROBABILITY), ticks=np.linspace(0, 1, 6))
    _scatter_by_label(axes, X_train, Y_train, marker="o", size=16, split="train")
    _scatter_by_label(axes, X_test, Y_test, marker="^", size=36, split="test")
    accuracy = f"{test_accuracy:.3f}"
    axes.set_title(i18n._(BOUNDARY_TITLE, accuracy=accuracy))
    axes.set_xlabel("$x_1$")
    axes.set_ylabel("$x_2$")
    axes.set_xlim(xx.min(), xx.max())
    axes.set_ylim(yy.min(), yy.max())
    axes.legend(loc="lower left", fontsize="small", framealpha=0.9)
    return _save(figure, path)


def _scatter_by_label(axes: Axes, X: np.ndarray, Y: np.ndarray, marker: str, size: float, split: str) -> None:
    labels = np.ravel(Y)
    for label, colour in enumerate(CLASS_COLOURS):
        points = X[labels == label]
        axes.scatter(points[:, 0], points[:, 1], c=colour, marker=marker, s=size,
                     edgecolors="0.15", linewidths=0.4 if split == "train" else 0.8,
                     label=i18n._(POINTS[split], label=label))


def _new_figure(size: tuple[float, float]) -> tuple[Figure, Axes]:
    figure = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.subplots()


def _save(figure: Figure, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path


def training_plots(bridge: InProcessBridge, run: ModelRun, data: MoonsSplit, test_accuracy: float,
                   plots_dir: Path) -> list[Path]:
    """The three PNGs of a training run (``backprop-lab train`` and the notebook's training cell), in
    ``plots_dir``; the boundary uses the submission's own forward pass on a grid."""
    X_all = np.vstack([data.X_train, data.X_test])  # (m, 2): the whole data set
    Y_all = np.vstack([data.Y_train, data.Y_test])  # (m, 1)
    xx, yy = grid_around(X_all)
    A2_grid, _ = bridge.call("forward_propagation", np.c_[xx.ravel(), yy.ravel()], run.parameters)
    return [
        label_histogram(Y_all, plots_dir / PLOT_FILES["labels"]),
        loss_curve(np.array(run.epoch_costs), np.array(run.batch_costs), plots_dir / PLOT_FILES["loss"]),
        decision_boundary(xx, yy, np.asarray(A2_grid, dtype=float), data.X_train, data.Y_train,
                          data.X_test, data.Y_test, test_accuracy, plots_dir / PLOT_FILES["boundary"]),
    ]
