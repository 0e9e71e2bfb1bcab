"""The students' pictures drawn on one reused figure (``NetworkPicture``) are those of a fresh figure."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image

from grader.formats.network_plots import NetworkPicture, grid, network_png

RNG = np.random.default_rng(0)
X = RNG.uniform(-1, 2, size=(60, 2))  # (m, 2)
Y = (X[:, :1] > 0.5).astype(float)  # (m, 1)
XX, YY = grid(X)
REFERENCE_COSTS = np.exp(-np.linspace(0, 3, 40))


def probability(slope: float, shift: float) -> np.ndarray:
    """(s * s,): a sigmoid across the plane, its 0.5 line moved by ``shift``."""
    return 1 / (1 + np.exp(-slope * (XX.ravel() - YY.ravel() + shift)))


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


# a boundary and a full cost curve, a longer run, then what must not be left over from them: no
# boundary, no curve (the epoch axis back to the reference's), nothing to draw at all, a diverging curve
# that resizes the cost axis, a curve cut short
STUDENTS = [
    (probability(3, 0.2), REFERENCE_COSTS * 1.1, 0.9),
    (probability(2, 0.4), np.exp(-np.linspace(0, 4, 120)), 0.8),
    (np.full(XX.size, 0.8), np.array([]), 0.5),
    (np.full(XX.size, np.nan), np.full(40, np.nan), None),
    (probability(5, -0.7), REFERENCE_COSTS * 80, 0.4),
    (probability(1, 0.5), np.r_[REFERENCE_COSTS[:10], np.full(30, np.nan)], 0.75),
]


def test_a_reused_figure_draws_each_student_as_a_fresh_one_would() -> None:
    """Only the changing parts are drawn over the figure's fixed pixels: the picture is a whole fresh
    render's, up to one unit of rounding in a channel (a few pixels where the frame, a tick mark and the
    half-transparent image meet); anything left over from another student would differ by far more."""
    reference = probability(2, 0.0)
    picture = NetworkPicture(XX, YY, X, Y, reference, REFERENCE_COSTS)
    for index, (theirs, costs, accuracy) in enumerate(STUDENTS):
        fresh = pixels(network_png(XX, YY, theirs, X, Y, costs, accuracy, reference, REFERENCE_COSTS))
        reused = pixels(picture.png(theirs, costs, accuracy))
        assert reused.shape == fresh.shape, index
        assert np.abs(reused.astype(int) - fresh).max() <= 1, index
        assert (reused != fresh).any(axis=2).sum() <= 10, index


def test_students_pictures_differ_where_their_networks_differ() -> None:
    picture = NetworkPicture(XX, YY, X, Y, probability(2, 0.0), REFERENCE_COSTS)
    first, second = (pixels(picture.png(*student)) for student in STUDENTS[1:3])
    assert (first != second).any(axis=2).sum() > 1000  # not the same picture sent twice


def test_the_epoch_axis_spans_the_longer_curve_of_the_two() -> None:
    picture = NetworkPicture(XX, YY, X, Y, probability(2, 0.0), REFERENCE_COSTS)  # 40 epochs
    longer, none = STUDENTS[1], STUDENTS[2]  # 120 epochs, then no curve at all
    picture.png(*longer)
    assert picture.right.get_xlim()[1] >= 120
    picture.png(*none)
    assert 40 <= picture.right.get_xlim()[1] < 60  # back to the reference's epochs


def test_the_fixed_epoch_axis_and_reused_legends_give_the_same_bytes() -> None:
    """A reused figure draws the cost panel over fixed pixels holding its epoch axis, and keeps each
    legend it made: every picture is byte for byte the one a fresh figure draws with the whole cost panel
    and new legends (its epoch span set to one no picture has, so that it never uses a fixed epoch axis)."""
    reference = probability(2, 0.0)
    reused = NetworkPicture(XX, YY, X, Y, reference, REFERENCE_COSTS)
    for index, student in enumerate([*STUDENTS, *STUDENTS[::-1], STUDENTS[0]]):
        fresh = NetworkPicture(XX, YY, X, Y, reference, REFERENCE_COSTS)
        fresh._epoch_span = (-1.0, -1.0)
        assert reused.png(*student) == fresh.png(*student), index
    assert set(reused._backgrounds) == {True, False}  # the fixed epoch axis, and without it (120 epochs)


def test_the_png_holds_the_canvas_pixels_exactly() -> None:
    """The PNG is written without PIL (RGB, no row filters): PIL reads back every pixel of the canvas, and
    the canvas is opaque (dropping its alpha channel loses nothing)."""
    picture = NetworkPicture(XX, YY, X, Y, probability(2, 0.0), REFERENCE_COSTS)
    png = picture.png(*STUDENTS[0])
    canvas = np.asarray(picture.figure.canvas.buffer_rgba())
    decoded = Image.open(io.BytesIO(png))
    assert decoded.mode == "RGB"
    assert (canvas[:, :, 3] == 255).all()
    assert np.array_equal(np.asarray(decoded), canvas[:, :, :3])
