"""PNG plots of a training run (``backprop-lab train``).

Pure functions: each takes arrays and a path, writes one PNG and returns the path.
They draw on their own ``Figure`` with the Agg canvas, so no display is needed
and no global pyplot state is touched. Letters as in the assignment: ``m``
samples, labels ``Y (m, 1)`` in {0, 1}.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

CLASS_COLOURS = ("#3b6fb6", "#d9822b")  # label 0 blue, label 1 orange (colour-blind safe)
# probability 0 in label 0's colour, 0.5 white, 1 in label 1's colour: regions match their points
PROBABILITY_COLOURS = LinearSegmentedColormap.from_list("label_probability",
                                                        [CLASS_COLOURS[0], "white", CLASS_COLOURS[1]])
DPI = 120


def label_histogram(Y: np.ndarray, path: Path) -> Path:
    """The handout's histogram of the labels (how many samples of each value).

    Inputs: Y (m, 1) or (m,) labels in {0, 1}
    """
    labels = np.ravel(Y)
    figure, axes = _new_figure((6, 4.5))
    counts, _, bars = axes.hist(labels, bins=[-0.5, 0.5, 1.5], rwidth=0.6, edgecolor="black")
    for bar, colour in zip(bars, CLASS_COLOURS, strict=False):
        bar.set_facecolor(colour)
    axes.bar_label(bars, labels=[f"{int(c)}" for c in counts], padding=3)
    axes.set_xticks([0, 1])
    axes.set_ylim(0, max(counts.max(), 1) * 1.15)
    axes.set_title("The value of Label Y and its quantity")
    axes.set_xlabel("value")
    axes.set_ylabel("quantity")
    axes.grid(axis="y", alpha=0.3)
    return _save(figure, path)


def loss_curve(epoch_costs: np.ndarray, batch_costs: np.ndarray, path: Path) -> Path:
    """The cost per epoch, with every batch's cost faintly behind it.

    Inputs: epoch_costs (n_epochs,) mean batch cost of each epoch;
            batch_costs (n_batches,) every batch's cost, in order (n_batches a multiple of n_epochs)
    """
    epoch_costs, batch_costs = np.ravel(epoch_costs), np.ravel(batch_costs)
    figure, axes = _new_figure((7, 4.5))
    epochs = np.arange(1, len(epoch_costs) + 1)
    if len(batch_costs) and len(epoch_costs):
        # batch i of an epoch with b batches sits at epoch - 1 + (i + 1) / b on the same axis
        batch_position = np.arange(1, len(batch_costs) + 1) * len(epoch_costs) / len(batch_costs)
        axes.plot(batch_position, batch_costs, color="0.7", linewidth=0.5, alpha=0.5, label="cost of each batch")
    axes.plot(epochs, epoch_costs, color=CLASS_COLOURS[0], linewidth=2, label="mean cost of the epoch")
    not_finite = np.flatnonzero(~np.isfinite(epoch_costs))
    if len(not_finite):  # NaN or inf draws nothing: say where the curve stops
        axes.axvline(epochs[not_finite[0]], color="#c0392b", linestyle="--",
                     label=f"cost not a finite number from epoch {epochs[not_finite[0]]}")
    axes.set_title("Training cost (binary cross-entropy)")
    axes.set_xlabel("epoch")
    axes.set_ylabel("cost")
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
    probability = np.reshape(probability, xx.shape)
    figure, axes = _new_figure((7.5, 6))
    if np.isfinite(probability).any():
        filled = axes.contourf(xx, yy, probability, levels=np.linspace(0, 1, 21), cmap=PROBABILITY_COLOURS, alpha=0.5)
        axes.contour(xx, yy, probability, levels=[0.5], colors="black", linewidths=1.5)
        axes.plot([], [], color="black", linewidth=1.5, label="boundary (probability 0.5)")  # legend entry only
        figure.colorbar(filled, ax=axes, label="predicted probability of label 1", ticks=np.linspace(0, 1, 6))
    _scatter_by_label(axes, X_train, Y_train, marker="o", size=16, split="train")
    _scatter_by_label(axes, X_test, Y_test, marker="^", size=36, split="test")
    axes.set_title(f"Decision boundary of the trained network (test accuracy {test_accuracy:.3f})")
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
                     label=f"{split}, label {label}")


def _new_figure(size: tuple[float, float]) -> tuple[Figure, Axes]:
    figure = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.subplots()


def _save(figure: Figure, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path
