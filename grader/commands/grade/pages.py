"""The HTML step of ``grade``: ``DIR/report.html`` and ``DIR/feedback/<file>.html`` (skipped with --no-html).

    DIR/networks/<file>.json   the picture data of a student's network (``grade/network.py``): what a
                               later run needs to draw the page of a submission it does not grade again
    DIR/feedback/<file>.html   the student's page (``formats/html.py``), beside the Markdown
    DIR/report.html            the class report

Pictures are drawn off the grading's critical path: one *plotter* thread of the main process
(started when the run knows what it grades, so that its own start overlaps the workers') draws each
student's picture while the workers grade the next ones, so the drawing mostly fills the time the
CPUs wait on sandboxed submissions (the main process itself only waits for the workers' answers). It
holds the reference (loaded from ``solutions/``, never student code) and computes the decision
boundary with the reference's forward pass on the few parameters a worker kept from the student's
training claim. ``finish`` waits for the pictures with a progress bar, then writes every page; a
page's PNGs are dropped once written.

A thread, not a process: the grading pool ends multiprocessing's resource tracker when it closes,
which would wait forever on a process holding the tracker's pipe (a process pool's worker does).

A picture that cannot be drawn costs that picture only (the page says so); the grades are never
affected.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from grader.checks.cases import Draw
from grader.commands.grade.network import pictured_case
from grader.commands.grade.store import file_stem, write_atomic
from grader.commands.grade.worker import Outcome
from grader.formats import html
from grader.i18n import _
from grader.reference import grading_draw, load_mistakes
from grader.results import Report
from grader.status import Status


class HtmlStep:
    """Collects the pictures of a run's graded submissions as they finish; ``finish`` writes the pages."""

    def __init__(self, out: Path, draw: Draw | None = None):
        self.out = Path(out)
        self.draw = draw  # None: the course's grading draw, read when the first submission is graded
        self.pictures: dict[str, Future | None] = {}  # name -> PNG bytes to come (None: nothing to draw)
        # picture data (JSON) -> its drawing: networks trained to the same numbers (the same code, often) are drawn
        # once; a drawing is a function of the data alone (the figure's reuse leaves no trace in it)
        self._drawings: dict[str, Future] = {}
        self.graded: set[str] = set()
        self._plotter: ThreadPoolExecutor | None = None
        self._reference_png: Future | None = None  # the reference's picture: the same for every page

    def network_path(self, name: str) -> Path:
        return self.out / "networks" / f"{file_stem(name)}.json"

    def link(self, name: str) -> str:
        """The address of ``name``'s page, relative to report.html."""
        return "feedback/" + quote(self.page_path(name).name)

    def page_path(self, name: str) -> Path:
        return self.out / "feedback" / f"{file_stem(name)}.html"

    def start(self) -> None:
        """Start the plotter now (once the course's draw exists): its imports, the reference's training run and
        picture then overlap the workers' start-up instead of waiting for the first graded submission."""
        self._reference()  # a thread (and its initialiser) starts with its first task

    def add(self, outcome: Outcome) -> None:
        """Keep a graded submission's picture data and start drawing it."""
        name = outcome.report.submission
        self.graded.add(name)
        data = json.dumps(outcome.picture)
        write_atomic(self.network_path(name), data)
        self.pictures[name] = self._draw(outcome.picture, data)

    def _draw(self, picture: dict[str, Any], data: str | None = None) -> Future | None:
        """The drawing of ``picture`` (``data``: its JSON), started now unless the same was drawn already."""
        if not picture.get("params"):
            return None
        data = json.dumps(picture) if data is None else data
        if data not in self._drawings:
            self._drawings[data] = self._pool().submit(_student_png, picture)
        return self._drawings[data]

    def _pool(self) -> ThreadPoolExecutor:
        if self._plotter is None:
            draw = self.draw or grading_draw(create=False)
            self._plotter = ThreadPoolExecutor(1, thread_name_prefix="backprop-lab-plotter",
                                               initializer=_start_plotter, initargs=(draw,))
        return self._plotter

    def _reference(self) -> Future:
        if self._reference_png is None:
            self._reference_png = self._pool().submit(_reference_png)
        return self._reference_png

    def close(self) -> None:
        self._drawings.clear()
        if self._plotter is not None:
            self._plotter.shutdown(wait=True, cancel_futures=True)
            self._plotter = None
            self._reference_png = None

    def finish(self, reports: dict[str, Report], sections: Sequence[html.Section] = (),
               progress: bool = True) -> Path:
        """Write the page of every submission graded now (or whose page is missing), then report.html.
        Returns the report's path. ``sections``: extra tables of the class report (integrity)."""
        try:
            return self._finish(reports, sections, progress)
        finally:
            self.close()

    def _finish(self, reports: dict[str, Report], sections: Sequence[html.Section], progress: bool) -> Path:
        from tqdm import tqdm

        to_write = [name for name in reports if name in self.graded or not self.page_path(name).exists()]
        for name in to_write:
            if name not in self.pictures:  # graded by an earlier run (or refused): its kept data, if any
                self.pictures[name] = self._draw(self._kept_picture(name))
        self._drawings.clear()  # every drawing is asked for: each page's is dropped once the page is written
        reference = self._reference()
        histogram = self._pool().submit(_histogram_png, [100 * r.score / r.max_score if r.max_score else 0.0
                                                         for r in reports.values()])
        reference_png = _result(reference)
        bar = tqdm(total=len(to_write), desc="pictures", unit="page", file=sys.stderr, disable=not progress)
        with bar:
            for name in to_write:
                self._write_page(reports[name], reference_png)
                bar.update(1)
        links = {name: self.link(name) for name in reports}
        hints = [mistake.hint for mistake in load_mistakes()]
        page = html.class_page(list(reports.values()), links, _result(histogram), hints, sections)
        write_atomic(self.out / "report.html", page)
        return self.out / "report.html"

    def _kept_picture(self, name: str) -> dict[str, Any]:
        try:
            return json.loads(self.network_path(name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"params": None, "problem": _("no picture was kept for this submission; grade it again with "
                                                 "--force to draw one.")}

    def _write_page(self, report: Report, reference_png: bytes | None) -> None:
        name = report.submission
        future = self.pictures.pop(name, None)
        kept = self._kept_picture(name) if future is None else {}
        png = _result(future) if future is not None else None
        if future is not None and png is None:
            problem = _("the picture of your network could not be drawn.")
        else:
            problem = kept.get("problem", "")
        if Status(report.status) in (Status.REFUSED, Status.ERROR, Status.GRADER_ERROR, Status.NOT_RECORDED,
                                     Status.DEADLINE) and png is None:
            problem = _("No picture of your network: your file could not be graded.")
        page = html.student_page(report, self.page_path(name).with_suffix(".md").name, png, reference_png,
                                 problem, kept.get("costs_from", ""))
        write_atomic(self.page_path(name), page)


def _result(future: Future | None) -> bytes | None:
    """The PNG a drawing gave, or None when it failed (the page says so; grading is not affected)."""
    if future is None:
        return None
    try:
        return future.result()
    except Exception as error:  # a bug of the drawing: it costs the picture only
        print(f"note: a picture could not be drawn ({type(error).__name__}: {error})", file=sys.stderr)
        return None


# ------------------------------------------------------------------ the plotter thread


_scene: dict[str, Any] = {}  # the plotter's: the reference, the data, the grid (read by that thread only)


def _start_plotter(draw: Draw) -> None:
    """Plotter initialiser: the reference's own training run and the grid, once."""
    from grader.checks import training
    from grader.formats.network_plots import grid
    from grader.reference import LiveReference

    case = pictured_case(draw)
    X, _Y, X_test, Y_test = training.data(case)
    reference = LiveReference()
    trained = reference.observe(training.probe(case))
    xx, yy = grid(np.vstack([X, X_test]))
    _scene.pop("picture", None)  # an earlier run's figure (its scene, its language) is not this run's
    _scene.update(reference=reference, X_test=X_test, Y_test=Y_test, xx=xx, yy=yy,
                  points=np.c_[xx.ravel(), yy.ravel()], reference_params=trained["params"],
                  reference_costs=np.asarray(trained["costs"], dtype=float))
    _scene["reference_probability"] = _probability(trained["params"])


def _probability(params: dict[str, np.ndarray]) -> np.ndarray:
    """The reference forward pass's probability of label 1 on the grid, (s * s, 1)."""
    return np.asarray(_scene["reference"].forward(_scene["points"], params), dtype=float)


def _accuracy(params: dict[str, np.ndarray]) -> float:
    from grader.checks.training import labelled_right

    return labelled_right(_scene["reference"].forward(_scene["X_test"], params), _scene["Y_test"])


def _student_png(picture: dict[str, Any]) -> bytes:
    params = {key: np.asarray(value, dtype=float) for key, value in picture["params"].items()}
    costs = np.array([np.nan if c is None else c for c in picture.get("costs") or []], dtype=float)
    with np.errstate(all="ignore"):  # a diverged network's picture is drawn as it is
        probability = _probability(params)
        accuracy = _accuracy(params)
    return _network_picture().png(probability, costs, accuracy)


def _network_picture():
    """The figure every student's picture is drawn on (axes, points and the reference drawn once).
    Made at the first picture, not in the initialiser: a figure that cannot be made costs a picture
    (the next one tries again), never the plotter."""
    from grader.formats.network_plots import NetworkPicture

    if "picture" not in _scene:
        _scene["picture"] = NetworkPicture(_scene["xx"], _scene["yy"], _scene["X_test"], _scene["Y_test"],
                                           _scene["reference_probability"], _scene["reference_costs"])
    return _scene["picture"]


def _reference_png() -> bytes:
    from grader.formats.network_plots import network_png

    params = _scene["reference_params"]
    return network_png(_scene["xx"], _scene["yy"], _scene["reference_probability"], _scene["X_test"],
                       _scene["Y_test"], _scene["reference_costs"], _accuracy(params))


def _histogram_png(percentages: list[float]) -> bytes:
    from grader.formats.network_plots import score_histogram_png

    return score_histogram_png(percentages)
