"""`backprop-lab grade`'s HTML step: report.html and feedback/<name>.html, what they show, that a
student's text cannot inject anything, that they stand alone, and that a real browser draws them."""
from __future__ import annotations

import base64
import contextlib
import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from grader import cli, i18n
from grader.bridge import StudentCodeError
from grader.checks.public import MOONS
from grader.commands.grade.network import ClaimKeeper
from grader.formats import html
from grader.results import CheckResult, Report

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples" / "submissions"
INJECTION = "<script>alert('pwned')</script>"
ODD_NAME = "a<img src=x onerror=alert(1)>"


def injecting_submission() -> str:
    """The reference, except that forward_propagation raises an error whose text is a script tag."""
    code = (EXAMPLES / "reference.py").read_text()
    start = code.index("def forward_propagation")
    body = code.index(":", code.index(")", start)) + 1
    return code[:body] + f"\n    raise ValueError({INJECTION!r})\n" + code[body:]


def run_grade(*args: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return cli.main(["grade", *args])


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A class of four graded with the HTML step: the reference, the stub, a known bug, an injection."""
    folder = tmp_path_factory.mktemp("class")
    for name in ("reference", "stub", "bug_update_plus"):
        shutil.copyfile(EXAMPLES / f"{name}.py", folder / f"{name}.py")
    (folder / f"{ODD_NAME}.py").write_text(injecting_submission())
    out = tmp_path_factory.mktemp("graded") / "out"
    assert run_grade(str(folder), "--out", str(out), "--jobs", "2", "--lang", "en") == 0
    return out


def pages(out: Path) -> dict[str, str]:
    found = {"report.html": (out / "report.html").read_text(encoding="utf-8")}
    for page in sorted((out / "feedback").glob("*.html")):
        found[f"feedback/{page.name}"] = page.read_text(encoding="utf-8")
    return found


def page_of(out: Path, name: str) -> str:
    """The feedback page the class report links for ``name``."""
    report = (out / "report.html").read_text(encoding="utf-8")
    escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    href = re.search(r'<a href="([^"]+)">' + re.escape(escaped) + "</a>", report)
    assert href, f"no link to {name}"
    return (out / href.group(1)).read_text(encoding="utf-8")


def embedded_pngs(page: str) -> list[bytes]:
    return [base64.b64decode(data) for data in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


# ----------------------------------------------------------------------------- content


def test_the_class_report_links_every_student_with_the_score_of_grades_csv(graded: Path) -> None:
    with (graded / "grades.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    for row in rows:
        score = f"{float(row['score']):g} / {float(row['max_score']):g}"
        page = page_of(graded, row["submission"])
        assert f"Score: {score}" in page
        assert score in (graded / "report.html").read_text(encoding="utf-8")


def test_the_known_mistake_is_ranked_with_its_hint_and_its_student(graded: Path, mistakes: tuple) -> None:
    report = (graded / "report.html").read_text(encoding="utf-8")
    hint = next(m.hint for m in mistakes if m.name == "update_plus")
    section = report[report.index('id="mistakes"'):]
    assert hint.replace("'", "&#39;") in section
    after_hint = section[section.index(hint.replace("'", "&#39;")):]
    assert re.search(r'<a href="feedback/bug_update_plus\.html">bug_update_plus</a>', after_hint)


def test_a_student_page_shows_their_network_next_to_the_reference(graded: Path) -> None:
    page = page_of(graded, "bug_update_plus")
    pictures = embedded_pngs(page)
    assert len(pictures) == 2 and all(p.startswith(b"\x89PNG") for p in pictures)
    assert pictures[0] != pictures[1]  # theirs is not the reference's
    assert "The reference solution, trained the same way" in page


def test_a_stub_has_no_picture_and_its_page_says_why(graded: Path) -> None:
    page = page_of(graded, "stub")
    assert len(embedded_pngs(page)) == 1  # the reference's only
    assert "the training run stopped" in page


def test_hidden_checks_show_no_message_on_a_students_page(graded: Path) -> None:
    page = page_of(graded, "bug_update_plus")
    hidden = page[page.index("Hidden checks"):]
    assert "<pre>" not in hidden  # messages are in <pre>; hidden checks list names and results only


def test_no_html_writes_no_pages(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_grade(str(EXAMPLES / "reference.py"), "--out", str(out), "--no-html") == 0
    assert not (out / "report.html").exists() and not list(out.rglob("*.html"))
    assert (out / "grades.csv").is_file()


def test_a_rerun_draws_the_page_of_a_student_it_does_not_grade_again(graded: Path, tmp_path: Path) -> None:
    out = Path(shutil.copytree(graded, tmp_path / "out"))
    page = out / "feedback" / "bug_update_plus.html"
    page.unlink()
    assert run_grade(str(EXAMPLES / "bug_update_plus.py"), "--out", str(out)) == 0  # kept, not graded again
    assert len(embedded_pngs(page.read_text(encoding="utf-8"))) == 2


# ----------------------------------------------------------------------------- safety


def test_a_students_script_tag_is_shown_as_text_never_run(graded: Path) -> None:
    for name, text in pages(graded).items():
        assert "<script" not in text.lower(), name
        assert "<img src=x" not in text, name
    page = page_of(graded, ODD_NAME)
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in page


def test_the_pages_stand_alone(graded: Path) -> None:
    for name, text in pages(graded).items():
        assert not re.search(r'(?:src|href)\s*=\s*["\']?\s*(?:https?:)?//', text, re.IGNORECASE), name
        assert not re.search(r"<link\b|@import|url\(", text, re.IGNORECASE), name
        for source in re.findall(r'src="([^"]*)"', text):
            assert source.startswith("data:image/png;base64,"), (name, source[:40])


# ----------------------------------------------------------------------------- the grouping and the claim


def failed(name: str, function: str, output: str) -> CheckResult:
    return CheckResult(name, function, 2.0, False, output)


def test_alike_diagnoses_with_other_numbers_are_one_mistake() -> None:
    message = "batch 3: X_batch should have shape (32, 2); got ({n}, 2). This is the last, incomplete batch " \
              "(m % batch_size = {n} samples): it should be skipped."
    reports = [Report("ann", [failed("batch_generator: a", "batch_generator", message.format(n=4))]),
               Report("bob", [failed("batch_generator: b", "batch_generator", message.format(n=1))]),
               Report("cat", [failed("compute_cost: a", "compute_cost", "cost: relative error 1e+00 > 1e-07 (A2). "
                                     "Your numbers match a common mistake: the cost is a sum.")])]
    found = html.diagnosed_mistakes(reports, hints=["the cost is a sum."])
    assert [(m.function, m.students) for m in found] == [("batch_generator", ["ann", "bob"]),
                                                        ("compute_cost", ["cat"])]
    assert found[1].diagnosis == "the cost is a sum."


def test_the_class_report_is_in_the_language_of_the_run() -> None:
    report = Report("ann", [CheckResult("compute_cost: a", "compute_cost", 2.0, True, "ok")])
    with i18n.speaking("zh"):
        page = html.class_page([report], {"ann": "feedback/ann.html"}, None)
    assert '<html lang="zh">' in page and "班级报告" in page


class FakeBridge:
    def __init__(self, claim=None, error: StudentCodeError | None = None):
        self.claim, self.error = claim, error

    def run(self, routine: str, **kwargs):
        if self.error:
            raise self.error
        return self.claim


def claim_of(n_h: int, costs: np.ndarray, epochs: int = 100) -> dict:
    rng = np.random.default_rng(0)
    shapes = {"W1": (2, n_h), "b1": (1, n_h), "W2": (n_h, 1), "b2": (1, 1)}
    trace = {k: rng.normal(size=(epochs + 1, *s)) for k, s in shapes.items()}
    return {"trace": trace, "final": {k: v[-1] for k, v in trace.items()}, "batches": np.ones(epochs, dtype=int),
            "costs": costs}


def test_claimed_costs_that_are_no_numbers_are_recomputed_by_the_reference_side() -> None:
    case = MOONS
    seen = []
    keeper = ClaimKeeper(FakeBridge(claim_of(case.n_h, np.full(100, np.nan))), case,
                         lambda params, X, Y: seen.append(params["W1"].copy()) or 0.5)
    keeper.run("train", X=np.zeros((4, 2)), Y=np.zeros((4, 1)), seed=case.seed)
    picture = keeper.picture
    assert picture["problem"] == "" and picture["costs_from"] == "reference"
    assert picture["costs"] == [0.5] * 100 and len(seen) == 100
    assert np.shape(picture["params"]["W1"]) == (2, case.n_h)


def test_misshapen_or_missing_claims_give_a_reason_instead_of_a_picture() -> None:
    case = MOONS
    misshapen = claim_of(case.n_h, np.zeros(100))
    misshapen["final"]["W1"] = np.zeros((3, 3))
    keeper = ClaimKeeper(FakeBridge(misshapen), case, lambda *a: 0.0)
    keeper.run("train", X=np.zeros((4, 2)), Y=np.zeros((4, 1)), seed=case.seed)
    assert keeper.picture["params"] is None and "shapes" in keeper.picture["problem"]
    diverged = claim_of(case.n_h, np.full(100, np.inf))
    diverged["final"]["W1"] = np.full((2, case.n_h), np.nan)
    keeper = ClaimKeeper(FakeBridge(diverged), case, lambda *a: 0.0)
    keeper.run("train", X=np.zeros((4, 2)), Y=np.zeros((4, 1)), seed=case.seed)
    assert keeper.picture["params"] is None and "diverged" in keeper.picture["problem"]
    crashed = ClaimKeeper(FakeBridge(error=StudentCodeError("exception", "forward_propagation", INJECTION)), case,
                          lambda *a: 0.0)
    with pytest.raises(StudentCodeError):
        crashed.run("train", X=np.zeros((4, 2)), Y=np.zeros((4, 1)), seed=case.seed)
    assert crashed.picture["params"] is None and "stopped" in crashed.picture["problem"]


# ----------------------------------------------------------------------------- a real browser


def browser() -> str | None:
    return next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(name)), None)


def distinct_colours(png: Path) -> int:
    from PIL import Image

    with Image.open(png) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1 << 24))


@pytest.mark.slow
@pytest.mark.skipif(browser() is None, reason="no Chromium here (Debian: apt-get install chromium)")
@pytest.mark.parametrize(("page", "colours"), [("report.html", 500), ("feedback/bug_update_plus.html", 2000)])
def test_headless_chromium_draws_the_page_with_its_pictures(graded: Path, tmp_path: Path, page: str,
                                                            colours: int) -> None:
    shot = tmp_path / "shot.png"
    done = subprocess.run([browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--screenshot={shot}", "--window-size=1200,1600", (graded / page).as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    # A page of text alone shows about 250 colours (anti-aliased glyphs); the histogram gives the report
    # about 1,000, a student's two pictures about 5,000: a blank page or a broken picture stays below.
    assert distinct_colours(shot) > colours


def test_the_class_report_lists_integrity_leads_with_links_to_both_students(graded: Path) -> None:
    pytest.importorskip("copydetect")
    page = (graded / "report.html").read_text(encoding="utf-8")
    section = page[page.index('id="integrity"'):]
    section = section[:section.index("</table>")]
    leads = list(csv.DictReader((graded / "integrity.csv").open(encoding="utf-8")))
    assert leads, "the examples are one-line edits of the reference: similar code"
    first = leads[0]["students"].split()
    assert all(f'<a href="feedback/{name}.html">{name}</a>' in section for name in first)


def test_networks_trained_to_the_same_numbers_are_drawn_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two students whose networks came out the same (the same code, often) share one drawing; a third,
    other network gets its own; each page shows its own network's picture."""
    from grader.checks.cases import Draw
    from grader.commands.grade import pages as grade_pages
    from grader.commands.grade.worker import Outcome

    drawn: list[dict] = []

    def drawing(picture: dict) -> bytes:
        drawn.append(picture)
        return f"picture of W1 {picture['params']['W1']}".encode()

    monkeypatch.setattr(grade_pages, "_student_png", drawing)
    claim = claim_of(MOONS.n_h, np.linspace(0.7, 0.1, 100))
    keeper = ClaimKeeper(FakeBridge(claim), MOONS, cost_of=lambda params, X, Y: 0.5)
    keeper.run("train", seed=MOONS.seed, X=np.zeros((4, 2)), Y=np.zeros((4, 1)))
    other = dict(keeper.picture, params=dict(keeper.picture["params"], W1=np.zeros((2, MOONS.n_h)).tolist()))
    step = grade_pages.HtmlStep(tmp_path, draw=Draw.secret("grading", b"a course"))
    reports = {name: Report(name, [CheckResult("compute_cost: a", "compute_cost", 2.0, True, "ok")])
               for name in ("ann", "bob", "cat")}
    for name, picture in (("ann", keeper.picture), ("bob", dict(keeper.picture)), ("cat", other)):
        step.add(Outcome(reports[name], picture=picture))
    step.finish(reports, progress=False)
    assert [d["params"]["W1"] for d in drawn] == [keeper.picture["params"]["W1"], other["params"]["W1"]]
    shown = {name: embedded_pngs((tmp_path / "feedback" / f"{name}.html").read_text(encoding="utf-8"))
             for name in reports}
    assert shown["ann"][0] == shown["bob"][0] == f"picture of W1 {keeper.picture['params']['W1']}".encode()
    assert shown["cat"][0] == f"picture of W1 {other['params']['W1']}".encode()
