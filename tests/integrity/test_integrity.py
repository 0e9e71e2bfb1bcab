"""integrity.csv: a disguised copy is flagged, independently written correct solutions are not; the file
and its reuse. (The shared wrong outputs: test_wrong_outputs.py.)"""
from __future__ import annotations

import builtins
import itertools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from grader.commands.grade import integrity
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


SCORES_IN_A_PROCESS = """
import sys
from pathlib import Path
from grader.commands.grade import integrity
from tests.integrity.disguise import disguised
codes = {path.stem: path.read_text(encoding="utf-8") for path in sorted(Path(sys.argv[1]).glob("*.py"))}
codes["copy"] = disguised(codes["bug_update_plus"])
print([(lead.students, lead.score) for lead in integrity.similar_code(codes, integrity.given_code(), 0.3)])
"""


def test_similarity_scores_are_the_same_in_every_process():
    """Python salts ``hash`` per process; the scores (and so integrity.csv, a re-run's, a merge's) must not move."""
    def scores(seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        return subprocess.run([sys.executable, "-c", SCORES_IN_A_PROCESS, str(EXAMPLES)], env=env, check=True,
                              capture_output=True, text=True).stdout

    first = scores("1")
    assert "('bug_update_plus', 'copy')" in first and first.count("(('") >= 3  # pairs below the real threshold too
    assert scores("2") == first == scores("3")


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


def test_rows_give_the_report_what_was_written(tmp_path):
    leads = [integrity.Lead("similar-code", ("=evil", "bob"), 0.97, "750 characters"),
             integrity.Lead("same-wrong-output", ("ann", "ben", "cat"), 2.0, "the same wrong output")]
    integrity.write(tmp_path, leads)
    rows = integrity.rows(tmp_path)
    assert rows == [{"kind": "similar-code", "students": "'=evil bob", "score": "0.970", "evidence": "750 characters"},
                    {"kind": "same-wrong-output", "students": "ann ben cat", "score": "2",
                     "evidence": "the same wrong output"}]
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


def test_the_class_wide_measure_gives_copydetects_own_numbers():
    """``Overlaps`` replaces copydetect's per-pair ``compare_files`` for speed: on pairs of every kind (a copy,
    a disguised copy, a bug and its fix, independently written variants, a file and the stub) it must give
    the same characters covered and the same shares."""
    import io

    from copydetect import CodeFingerprint, compare_files, utils

    utils.hash = integrity.stable_hash  # as similar_code winnows
    codes = [(EXAMPLES / name).read_text(encoding="utf-8") for name in
             ("reference.py", "bug_update_plus.py", "bug_cost_sum_not_mean.py", "stub.py")]
    codes += [disguised(codes[1]), codes[0]]
    codes += [source(path) for path in sorted(CORRECT_DIR.glob("*.py"))[:4]]
    boilerplate = np.array(sorted(CodeFingerprint("s.py", integrity.NOISE_CHARACTERS, 1, language="python",
                                                  fp=io.StringIO(integrity.canonical(integrity.given_code()))).hashes))
    prints = [CodeFingerprint("s.py", integrity.NOISE_CHARACTERS, integrity.WINDOW, boilerplate=boilerplate,
                              fp=io.StringIO(integrity.canonical(code)), language="python") for code in codes]
    prints = [p for p in prints if p.token_coverage > 0]
    measure = integrity.Overlaps(prints, integrity.NOISE_CHARACTERS)
    shares = set()
    for first, second in itertools.combinations(prints, 2):
        overlap, (share1, share2), _slices = compare_files(first, second)
        assert measure(first, second) == (overlap, share1, share2)
        shares.add(round(float(min(share1, share2)), 1))
    assert {0.0, 1.0} < shares and len(shares) >= 4  # the pairs measured reach from nothing in common to copies
