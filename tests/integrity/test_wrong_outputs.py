"""The second integrity signal: students who share the same unusual wrong outputs.

Submissions are graded here in this process (the grading worker's watch on the checks, the in-process
bridge), on a secret draw of the tests' own; identical code gives identical digests, so a class of many
students is made of a few graded sources repeated.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from grader.bridge.inprocess import InProcessBridge
from grader.checks import Draw, catalogue
from grader.commands.grade import integrity
from grader.commands.grade.store import OutputFolder
from grader.commands.grade.worker import Outcome
from grader.commands.grade.wrong_outputs import WrongOutputs, digest
from grader.formats.gradescope import EXTRA_KEY
from grader.reference import LiveReference, apply_mistake, load_mistakes
from grader.results import Report
from grader.runner import run_checks
from tests.variants.build import CORRECT_DIR, REFERENCE, source, with_functions_replaced

DRAW = Draw.secret("grading", b"the tests' course secret")

# One invented bug (no known mistake of solutions/mistakes.py): the cost divided by m + 1, written two ways
# into two different correct solutions, so that their code is not alike.
COST_OVER_M_PLUS_1 = '''import numpy as np


def compute_cost(A2, Y):
    m = Y.shape[0]
    total = np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    return float(-total / (m + 1))
'''
COST_OVER_M_PLUS_1_AGAIN = '''import numpy as np


def compute_cost(A2, Y):
    count = len(Y) + 1
    losses = np.multiply(Y, np.log(A2)) + np.multiply(1.0 - Y, np.log(1.0 - A2))
    return -losses.sum().item() / count
'''
# Another invented bug, which a large part of the class will share: a step 10% too long.
UPDATE_TOO_FAR = '''def update_parameters(parameters, grads, learning_rate=0.01):
    for name in ("W1", "b1", "W2", "b2"):
        parameters[name] = parameters[name] - 1.1 * learning_rate * grads["d" + name]
    return parameters
'''


def _ann() -> str:
    return with_functions_replaced(source(CORRECT_DIR / "einsum.py"), COST_OVER_M_PLUS_1)


def _ben() -> str:
    return with_functions_replaced(source(CORRECT_DIR / "dict_loops.py"), COST_OVER_M_PLUS_1_AGAIN)


def _mistake(name: str) -> str:
    mistake = next(m for m in load_mistakes() if m.name == name)
    return apply_mistake(REFERENCE.read_text(encoding="utf-8"), mistake)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Source name -> the wrong-output digests grading keeps for it (every check, hidden ones too)."""
    folder = tmp_path_factory.mktemp("sources")
    sources = {f"correct_{path.stem}": source(path) for path in sorted(CORRECT_DIR.glob("*.py"))}
    sources |= {
        "ann": _ann(),
        "ben": _ben(),
        "known_backward": _mistake("backward_dw2_no_mean"),
        "known_forward": _mistake("forward_sigmoid_hidden"),
        "too_far": with_functions_replaced(REFERENCE.read_text(encoding="utf-8"), UPDATE_TOO_FAR),
    }
    checks = catalogue(include_hidden=True, draw=DRAW)
    reference = LiveReference()
    digests = {}
    for name, text in sources.items():
        path = folder / f"{name}.py"
        path.write_text(text, encoding="utf-8")
        watched = WrongOutputs(InProcessBridge.from_file(path), checks)
        run_checks(watched, watched.checks, lambda check: reference, name, on_result=watched.on_result)
        digests[name] = watched.digests(reference)
    return digests


def _class(graded: dict[str, dict[str, str]], **counts: int) -> list[Report]:
    """Reports of a class: ``counts[source]`` students (named source1, source2, ...) hand in that source;
    ann and ben, and every correct solution, once each."""
    reports = [Report(name, wrong_outputs=digests) for name, digests in graded.items()
               if name.startswith("correct_") or name in ("ann", "ben")]
    for name, count in counts.items():
        reports += [Report(f"{name}{i}", wrong_outputs=graded[name]) for i in range(1, count + 1)]
    return reports


def test_two_students_with_the_same_unusual_bug_written_differently_are_grouped(graded):
    assert graded["ann"] and graded["ann"] == graded["ben"], "the same wrong numbers, kept as the same digests"
    assert {key.split("/")[0] for key in graded["ann"]} == {"compute_cost"}
    codes = {"ann": _ann(), "ben": _ben()}
    assert integrity.similar_code(codes, integrity.given_code()) == [], "their code is not alike"
    leads = integrity.shared_wrong_outputs(_class(graded, known_backward=2, known_forward=6, too_far=5))
    assert [(lead.students, lead.score) for lead in leads] == [(("ann", "ben"), float(len(graded["ann"])))]
    assert "compute_cost" in leads[0].evidence


def test_a_known_mistake_keeps_no_digest_however_few_students_make_it(graded):
    # A known mistake's own outputs, and the outputs that compose the function (training, the backward
    # pass on one's own forward), are explained: two students who made it are no lead.
    assert graded["known_backward"] == {} and graded["known_forward"] == {}
    leads = integrity.shared_wrong_outputs(_class(graded, known_backward=2, known_forward=2))
    assert [lead.students for lead in leads] == [("ann", "ben")]


def test_correct_solutions_have_no_wrong_output_and_are_never_grouped(graded):
    correct = {name: digests for name, digests in graded.items() if name.startswith("correct_")}
    assert len(correct) >= 10 and not any(correct.values())
    leads = integrity.shared_wrong_outputs(_class(graded, too_far=2))
    assert not any(name.startswith("correct_") for lead in leads for name in lead.students)


def test_a_bug_a_large_part_of_the_class_shares_is_not_a_lead(graded):
    assert graded["too_far"], "the step too long is no known mistake: its outputs are kept"
    few = integrity.shared_wrong_outputs(_class(graded, too_far=2))
    assert ("too_far1", "too_far2") in [lead.students for lead in few]  # two of 14: a lead
    many = integrity.shared_wrong_outputs(_class(graded, too_far=5))  # five of 17: a common mistake
    assert not any(name.startswith("too_far") for lead in many for name in lead.students)


def test_a_group_is_listed_once_and_a_pair_sharing_more_above_it():
    reports = [Report("ann", wrong_outputs={"p1": "a", "p2": "b", "p3": "c"}),
               Report("ben", wrong_outputs={"p1": "a", "p2": "b", "p3": "c"}),
               Report("cat", wrong_outputs={"p1": "a", "p2": "b", "p3": "other"}),
               *[Report(f"s{i}", wrong_outputs={"p1": f"own{i}"}) for i in range(27)]]  # 30: at most 3 share
    leads = integrity.shared_wrong_outputs(reports)
    assert [(lead.students, lead.score) for lead in leads] == [(("ann", "ben"), 3.0), (("ann", "ben", "cat"), 2.0)]


def test_one_shared_output_alone_is_no_lead():
    reports = [Report("ann", wrong_outputs={"p1": "a"}), Report("ben", wrong_outputs={"p1": "a"})]
    assert integrity.shared_wrong_outputs(reports) == []


def test_a_digest_ignores_rounding_noise_and_order_but_not_a_real_difference():
    value = {"W1": np.array([[0.123456789, -2.5e-3]]), "b1": np.array([[1.0, 0.0]])}
    noisy = {"b1": np.array([[1.0 + 1e-14, -1e-17]]), "W1": np.array([[0.123456789 * (1 + 1e-13), -2.5e-3]])}
    other = {"W1": np.array([[0.1235, -2.5e-3]]), "b1": np.array([[1.0, 0.0]])}
    assert digest(value) == digest(noisy) != digest(other)
    assert digest(np.array([1.0, 2.0])) != digest(np.array([[1.0, 2.0]])), "the shape is part of an output"
    text = digest(value)
    assert len(text) == 16 and all(c in "0123456789abcdef" for c in text), "a hash: no number can be read"


def test_any_plain_data_a_submission_returns_has_a_digest():
    odd = [10**400, 1 + 2j, np.array(["a", "b"]), np.array([np.nan, np.inf, -0.0]), None, True, "text", (), {}]
    assert len({digest(value) for value in odd}) == len(odd)
    assert digest(np.array([0.0, 1.0])) == digest(np.array([-0.0, 1.0]))


def test_results_files_carry_the_digests_and_older_ones_load_without_them(tmp_path):
    checks = catalogue(include_hidden=False, draw=DRAW)[:2]
    folder = OutputFolder(tmp_path, checks)
    report = Report("ann", [check.result(False, "wrong") for check in checks], wrong_outputs={"p1": "0123abcd"})
    folder.record(Outcome(report), "sha")
    data = json.loads(folder.results_path("ann").read_text(encoding="utf-8"))
    assert folder.report_from_results(data, "ann", "sha").wrong_outputs == {"p1": "0123abcd"}
    del data["extra_data"][EXTRA_KEY]["wrong_outputs"]  # a file written before digests were kept
    older = folder.report_from_results(data, "ann", "sha")
    assert older is not None and older.wrong_outputs == {} and older.results == report.results


def test_the_report_section_links_every_student_of_a_group():
    outcome = integrity.Outcome([integrity.Lead("same-wrong-output", ("ann", "ben", "cat"), 2.0, "evidence")],
                                Path("integrity.csv"))
    section = integrity.section(outcome, lambda name: f"feedback/{name}.html")
    (row,) = section.rows
    assert [(link.text, link.href) for link in row[1]] == [(n, f"feedback/{n}.html") for n in ("ann", "ben", "cat")]


def test_the_report_shows_the_strongest_leads_and_says_where_the_rest_are():
    leads = [integrity.Lead("similar-code", (f"s{i:03d}", f"t{i:03d}"), 1.0 - i / 1000, "evidence") for i in range(250)]
    section = integrity.section(integrity.Outcome(leads, Path("integrity.csv")), lambda name: name)
    assert [row[1][0].text for row in section.rows] == [f"s{i:03d}" for i in range(100)]  # the file's order: strongest
    assert "250" in section.intro and "integrity.csv" in section.intro


@pytest.mark.slow
def test_a_grading_run_keeps_the_digests_and_flags_the_pair(tmp_path):
    from grader.commands import grade

    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ann.py").write_text(_ann(), encoding="utf-8")
    (folder / "ben.py").write_text(_ben(), encoding="utf-8")
    (folder / "means.py").write_text(source(CORRECT_DIR / "means.py"))
    for i in (1, 2):
        (folder / f"known{i}.py").write_text(_mistake("backward_dw2_no_mean"))
    out = tmp_path / "out"
    result = grade.run([folder], out, jobs=2)
    stored = json.loads((out / "results" / "ann.json").read_text(encoding="utf-8"))["extra_data"][EXTRA_KEY]
    assert stored["wrong_outputs"] and stored["wrong_outputs"] == result.reports["ben"].wrong_outputs
    outcome = integrity.build(out, result.graded_code, result.reports.values())
    shared = [lead.students for lead in outcome.leads if lead.kind == "same-wrong-output"]
    assert shared == [("ann", "ben")], "the two known mistakes (identical files: similar code) share no digest"
    again = grade.run([folder], out, jobs=2)  # nothing changed: read back from the results files
    assert not again.graded and again.reports["ann"].wrong_outputs == stored["wrong_outputs"]
