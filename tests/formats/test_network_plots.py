"""The students' pictures drawn on one reused figure (``NetworkPicture``) are those of a fresh figure."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from grader import i18n
from grader.formats.network_plots import NetworkPicture, grid, lone_points, network_png, nice_ceiling
from grader.formats.plots import CLASS_COLOURS

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


@pytest.mark.parametrize("language", ["en", "zh"])  # zh: another font (if one is installed), other extents
def test_students_in_a_row_get_the_pictures_each_would_get_alone(language: str) -> None:
    """A reused figure draws each picture over the fixed pixels of its legends and cost limits (made by an
    earlier student's picture or now), keeps each legend it made and puts back the pixels of a title it
    drew before: every picture is byte for byte the one a fresh figure draws for that student alone,
    whatever came before it."""
    reference = probability(2, 0.0)
    with i18n.speaking(language):
        reused = NetworkPicture(XX, YY, X, Y, reference, REFERENCE_COSTS)
        for index, student in enumerate([*STUDENTS, *STUDENTS[::-1], STUDENTS[0]]):
            fresh = NetworkPicture(XX, YY, X, Y, reference, REFERENCE_COSTS)
            assert reused.png(*student) == fresh.png(*student), index
    assert len(reused._backgrounds) > 3  # not one set of fixed pixels for all
    assert len(reused._titles) == len({accuracy for _p, _c, accuracy in STUDENTS})  # a title's pixels drawn once


def test_networks_with_alike_costs_share_the_fixed_pixels() -> None:
    """Two boundaries and cost curves whose highest costs round up to the same limit: one background."""
    picture = NetworkPicture(XX, YY, X, Y, probability(2, 0.0), REFERENCE_COSTS)
    picture.png(probability(3, 0.2), REFERENCE_COSTS * 1.10, 0.9)
    picture.png(probability(1, 0.5), REFERENCE_COSTS * 1.13, 0.7)
    assert picture.right.get_ylim() == (0, 1.2)
    assert len(picture._backgrounds) == 1


def test_the_cost_axis_ends_at_a_nice_number_and_still_shows_a_cost_sum_bug() -> None:
    picture = NetworkPicture(XX, YY, X, Y, probability(2, 0.0), REFERENCE_COSTS)  # costs from 1 down to 0.05
    picture.png(probability(3, 0.2), REFERENCE_COSTS * 0.7, 0.9)
    assert picture.right.get_ylim() == (0, 1.2)  # 1 and a little room above it
    picture.png(probability(3, 0.2), REFERENCE_COSTS * 30, 0.9)  # summed over a batch of 30, not averaged
    low, high = picture.right.get_ylim()
    assert low == 0 and high >= 4  # the reference's curve in the lowest quarter; this one leaves the top
    assert REFERENCE_COSTS.max() * 30 > high


def test_nice_ceilings() -> None:
    assert [nice_ceiling(v) for v in (0.73, 0.8, 0.81, 8.1, 1234, 0.00042, 3e7)] == [
        0.8, 0.8, 1.0, 10, 1500, 0.0005, 3e7]
    assert nice_ceiling(0) == nice_ceiling(-2) == 1  # nothing above 0: [0, 1]


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


def cost_panel_pixels_of(picture: NetworkPicture, png: bytes, colour: str) -> int:
    """How many pixels inside the cost panel's frame are (nearly) ``colour``."""
    from matplotlib.colors import to_rgb

    box = picture.right.get_window_extent()
    image = pixels(png)
    height = image.shape[0]
    inside = image[int(height - box.y1) + 2:int(height - box.y0) - 2, int(box.x0) + 2:int(box.x1) - 2]
    target = np.array(to_rgb(colour)) * 255
    return int(np.sum(np.all(np.abs(inside.astype(float) - target) < 30, axis=-1)))


def test_a_cost_with_no_finite_neighbour_is_still_drawn() -> None:
    """A run whose first epoch has a cost and every later one NaN (training diverged) shows that one cost:
    a line alone leaves a point with no neighbour out."""
    picture = NetworkPicture(XX, YY, X, Y, probability(2, 0.0), REFERENCE_COSTS)
    lone = picture.png(probability(3, 0.2), np.r_[0.7, np.full(39, np.nan)], 0.6)
    nothing = picture.png(probability(3, 0.2), np.full(40, np.nan), 0.6)
    assert cost_panel_pixels_of(picture, lone, CLASS_COLOURS[0]) > 10
    assert cost_panel_pixels_of(picture, nothing, CLASS_COLOURS[0]) == 0
    far = picture.png(probability(3, 0.2), np.r_[21.5, np.full(39, np.nan)], 0.2)  # far above the reference's
    assert picture.right.get_ylim()[1] >= 21.5
    assert cost_panel_pixels_of(picture, far, CLASS_COLOURS[0]) > 10


def test_lone_points() -> None:
    nan = np.nan
    assert lone_points(np.array([0.7, nan, nan])) == [0]
    assert lone_points(np.array([1.0, 2.0, nan, 3.0, np.inf, 4.0, 5.0])) == [3]
    assert lone_points(np.array([5.0])) == [0]
    assert lone_points(np.array([])) == [] and lone_points(np.array([1.0, 2.0])) == []
