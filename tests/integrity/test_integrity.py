"""integrity.csv: a disguised copy is flagged, independently written correct solutions are not, and
shared wrong numbers count only when no known mistake or pattern explains them."""
from __future__ import annotations

import builtins
from pathlib import Path

import pytest

from grader.commands.grade import integrity
from grader.results import CheckResult, Report
from tests.integrity.disguise import disguised
from tests.variants.build import CORRECT_DIR, source

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"
pytest.importorskip("copydetect")


def _similar(codes: dict[str, str]) -> list[integrity.Lead]:
    return integrity.similar_code(codes, integrity.given_code())


def test_a_disguised_copy_of_an_example_is_flagged():
    original = (EXAMPLES / "bug_update_plus.py").read_text(encoding="utf-8")
    copy = disguised(original)
    assert "weights_in" in copy and "# my own note" in copy  # the disguise did rename and rewrite
    assert copy.index("def update_parameters") < copy.index("def initialize_parameters")  # and reorder
    leads = _similar({"alice": original, "bob": copy})
    assert [lead.students for lead in leads] == [("alice", "bob")]
    assert leads[0].score >= integrity.SIMILARITY_MIN


def test_independently_written_correct_variants_are_not_flagged():
    codes = {path.stem: source(path) for path in sorted(CORRECT_DIR.glob("*.py"))}
    codes["reference"] = (EXAMPLES / "reference.py").read_text(encoding="utf-8")
    assert len(codes) >= 10
    assert _similar(codes) == []


def test_the_given_code_alone_is_no_lead():
    stub = (EXAMPLES / "stub.py").read_text(encoding="utf-8")
    assert _similar({"a": stub, "b": stub}) == []


def test_without_copydetect_the_report_says_how_to_install_it(monkeypatch, tmp_path):
    real_import = builtins.__import__

    def refusing(name, *args, **kwargs):
        if name.startswith("copydetect"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refusing)
    outcome = integrity.build(tmp_path, {"a": "x = 1", "b": "y = 2"}, [])
    assert "pip install" in outcome.note and "instructor" in outcome.note
    assert "pip install" in integrity.summary_line(outcome)
    assert (tmp_path / "integrity.csv").read_text(encoding="utf-8").startswith("kind,students,score,evidence")


def test_a_class_of_one_compares_no_code_and_needs_no_copydetect(monkeypatch, tmp_path):
    real_import = builtins.__import__

    def refusing(name, *args, **kwargs):
        if name.startswith("copydetect"):
            raise AssertionError("copydetect imported for a class of one")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refusing)
    outcome = integrity.build(tmp_path, {"a": "x = 1"}, [])
    assert outcome.leads == [] and outcome.note == ""
    assert (tmp_path / "integrity.csv").read_text(encoding="utf-8").startswith("kind,students,score,evidence")


def _failing(student: str, messages: dict[str, str]) -> Report:
    results = [CheckResult(check, check.split(":")[0], 3, False, text) for check, text in messages.items()]
    return Report(student, results)


def _two(forward: str, cost: str) -> dict[str, str]:
    return {"forward_propagation: values": forward, "compute_cost: values": cost}


BARE_1 = "A2: relative error 3.7e-01 > 1e-07 (X (7, 2), n_h 5)."
BARE_2 = "cost: relative error 1.2e+00 > 1e-07 (m 9)."
HINTED = BARE_1[:-1] + ". Your numbers match a common mistake: the derivative of tanh is 1 - A1**2."


def test_students_sharing_unusual_wrong_numbers_are_grouped():
    checks = ["forward_propagation: values", "compute_cost: values"]
    reports = [_failing("ann", _two(BARE_1, BARE_2)),
               _failing("ben", _two(BARE_1, BARE_2)),
               _failing("cat", _two(BARE_1, "cost: relative error 5.0e-02 > 1e-07 (m 9).")),
               *[_failing(f"other{i}", {checks[0]: f"A2: relative error {i + 2}.0e-01 > 1e-07 (X (7, 2), n_h 5)."})
                 for i in range(6)]]
    leads = integrity.shared_wrong_outputs(reports)
    assert [(lead.students, lead.score) for lead in leads] == [(("ann", "ben"), 2.0)]
    assert "relative error 1.2e+00" in leads[0].evidence


def test_hinted_common_or_wordless_failures_are_no_lead():
    hinted = [_failing(name, _two(HINTED, HINTED)) for name in ("ann", "ben")]
    not_implemented = [_failing(name, _two(*["forward_propagation is not implemented yet."] * 2))
                       for name in ("cat", "dan")]
    common = [_failing(f"s{i}", _two(BARE_1, BARE_2)) for i in range(integrity.MIN_COMMON + 1)]
    assert integrity.shared_wrong_outputs(hinted + not_implemented + common) == []


def test_rows_give_the_report_what_was_written(tmp_path):
    leads = [integrity.Lead("similar-code", ("=evil", "bob"), 0.97, "750 characters"),
             integrity.Lead("same-wrong-output", ("ann", "ben"), 2.0, "the same wrong numbers")]
    integrity.write(tmp_path, leads)
    rows = integrity.rows(tmp_path)
    assert rows == [{"kind": "similar-code", "students": "'=evil bob", "score": "0.970", "evidence": "750 characters"},
                    {"kind": "same-wrong-output", "students": "ann ben", "score": "2",
                     "evidence": "the same wrong numbers"}]
    assert integrity.rows(tmp_path / "nowhere") == []


def test_a_rerun_with_the_same_inputs_reads_the_file_back_and_a_change_recomputes(monkeypatch, tmp_path):
    codes = {"original": source(CORRECT_DIR / "means.py"), "copy": disguised(source(CORRECT_DIR / "means.py"))}
    first = integrity.build(tmp_path, codes, [])
    assert [lead.students for lead in first.leads] == [("copy", "original")]

    def not_again(*args, **kwargs):
        raise AssertionError("similarity computed again for the same inputs")

    monkeypatch.setattr(integrity, "similar_code", not_again)
    again = integrity.build(tmp_path, codes, [])
    assert [(lead.kind, lead.students) for lead in again.leads] == [(lead.kind, lead.students) for lead in first.leads]
    with pytest.raises(AssertionError, match="computed again"):
        integrity.build(tmp_path, codes | {"third": "x = 1"}, [])
