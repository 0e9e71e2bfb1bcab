"""The similar-code leads computed beside the grading (grade/similarity.py): the same leads and the same
bytes as computed after it, a process only when there is something to grade and a pair to compare,
nothing left running however the run ends, and the in-process computation when the process fails."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from grader.commands import grade
from grader.commands.grade import integrity, similarity
from grader.commands.grade.worker import Settings
from tests.bridge.bridge_support import processes_left_behind
from tests.commands.support import make_class, run_cli
from tests.integrity.disguise import disguised

pytest.importorskip("copydetect")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"
REFERENCE_CODE = (EXAMPLES / "reference.py").read_text(encoding="utf-8")
STUB_CODE = (EXAMPLES / "stub.py").read_text(encoding="utf-8")
SLEEPING = "import time; time.sleep(600)"  # a process beside that would outlive any run it is not stopped by
FAILING = "import sys; sys.exit(3)"


def small_class() -> dict[str, str]:
    """name -> code: the examples, a disguised copy of one, and a name with a lone surrogate (a file name
    that is not UTF-8)."""
    codes = {path.stem: path.read_text(encoding="utf-8") for path in sorted(EXAMPLES.glob("*.py"))}
    codes["copycat"] = disguised(codes["bug_update_plus"])
    codes["caf\udce9"] = codes["bug_cost_sum_not_mean"]
    return codes


@pytest.fixture
def starts(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The command lines of the similarity processes started while the test runs."""
    started, real = [], subprocess.Popen

    def recording(command: list[str], *args, **kwargs) -> subprocess.Popen:
        if similarity._BOOT in command:  # not the workers' processes, nor ``ps``
            started.append(command)
        return real(command, *args, **kwargs)

    monkeypatch.setattr(similarity.subprocess, "Popen", recording)
    return started


def test_the_leads_computed_beside_are_the_ones_computed_in_process_to_the_byte(tmp_path: Path) -> None:
    codes = small_class()
    with similarity.Beside() as beside:
        assert beside.start(codes)
        beside_leads = beside.leads()
    in_process = integrity.similar_code(codes, integrity.given_code())
    assert ("bug_update_plus", "copycat") in [lead.students for lead in in_process]  # a class with leads
    assert beside_leads == in_process
    integrity.build(tmp_path / "beside", codes, [], beside_leads)
    integrity.build(tmp_path / "here", codes, [], None)
    for name in (integrity.FILE_NAME, integrity.KEY_FILE):
        assert (tmp_path / "beside" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()


def test_the_process_runs_at_a_lower_priority_with_one_blas_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(similarity, "_BOOT", SLEEPING)
    with similarity.Beside() as beside:
        assert beside.start({"a": "x = 1", "b": "y = 2"})
        pid = beside.process.pid
        own = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, own + similarity.NICENESS) > own
        environment = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert b"OPENBLAS_NUM_THREADS=1" in environment and b"OMP_NUM_THREADS=1" in environment
        assert os.getpriority(os.PRIO_PROCESS, 0) == own  # grade itself (and so its workers) keeps its priority
    assert processes_left_behind() == []  # leaving the block stopped it


@pytest.mark.parametrize("boot", [FAILING, "print('not the leads')", "print('[[1, 2]]')"])
def test_a_process_that_fails_gives_no_leads(monkeypatch: pytest.MonkeyPatch, boot: str) -> None:
    monkeypatch.setattr(similarity, "_BOOT", boot)
    with similarity.Beside() as beside:
        assert beside.start({"a": "x = 1", "b": "y = 2"})
        assert beside.leads() is None
    assert processes_left_behind() == []


def test_no_process_for_fewer_than_two_codes_or_without_copydetect(monkeypatch: pytest.MonkeyPatch,
                                                                    starts: list) -> None:
    with similarity.Beside() as beside:
        assert not beside.start({"alone": REFERENCE_CODE})
        assert beside.leads() is None
    monkeypatch.setattr(similarity.importlib.util, "find_spec", lambda name: None)
    with similarity.Beside() as beside:
        assert not beside.start({"a": "x = 1", "b": "y = 2"})
    assert starts == []


# ------------------------------------------------------------------ in a grade run


def test_a_run_that_grades_a_pair_starts_the_process_and_a_rerun_of_nothing_does_not(tmp_path: Path,
                                                                                     starts: list) -> None:
    folder = make_class(tmp_path / "class", ann=REFERENCE_CODE, ben=disguised(REFERENCE_CODE))
    out = tmp_path / "g"
    first = grade.run([folder], out, Settings(public_only=True), jobs=1)
    assert len(starts) == 1 and first.similar_code_beside
    assert first.similar_code == integrity.similar_code(first.graded_code, integrity.given_code())
    assert [lead.students for lead in first.similar_code] == [("ann", "ben")]
    assert processes_left_behind() == []

    again = grade.run([folder], out, Settings(public_only=True), jobs=1)
    assert again.skipped == ["ann", "ben"] and again.graded_code  # the codes are known, nothing to grade
    assert len(starts) == 1 and not again.similar_code_beside and again.similar_code is None


def test_a_class_of_one_starts_no_process(tmp_path: Path, starts: list) -> None:
    folder = make_class(tmp_path / "class", alone=REFERENCE_CODE)
    result = grade.run([folder], tmp_path / "g", Settings(public_only=True), jobs=1)
    assert result.graded == ["alone"] and starts == [] and result.similar_code is None


def test_an_interrupted_run_still_has_its_leads_and_leaves_nothing_running(tmp_path: Path) -> None:
    folder = make_class(tmp_path / "class", ann=REFERENCE_CODE, ben=disguised(REFERENCE_CODE), cat=STUB_CODE)

    def interrupt(outcome: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C (SIGTERM under main) as the first result comes in

    result = grade.run([folder], tmp_path / "g", Settings(public_only=True), jobs=1, on_graded=interrupt)
    assert result.interrupted and result.remaining
    assert result.similar_code == integrity.similar_code(result.graded_code, integrity.given_code())
    assert processes_left_behind() == []


def test_a_run_that_raises_stops_the_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(similarity, "_BOOT", SLEEPING)
    folder = make_class(tmp_path / "class", ann=REFERENCE_CODE, ben=STUB_CODE)

    def failing(outcome: object) -> None:
        raise RuntimeError("a bug in a progress callback")

    with pytest.raises(RuntimeError, match="progress callback"):
        grade.run([folder], tmp_path / "g", Settings(public_only=True), jobs=1, on_graded=failing)
    assert processes_left_behind() == []


def test_grade_writes_the_same_bytes_with_the_process_and_without_it(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The failed process's run computes the leads in-process, as grade did before the process existed."""
    folder = make_class(tmp_path / "class", ann=REFERENCE_CODE, ben=disguised(REFERENCE_CODE), cat=STUB_CODE,
                        dan=disguised(STUB_CODE))
    code, beside_stdout, _ = run_cli(str(folder), "--out", str(tmp_path / "beside"), "--jobs", "2", "--public-only")
    assert code == 0
    monkeypatch.setattr(similarity, "_BOOT", FAILING)
    code, fallback_stdout, _ = run_cli(str(folder), "--out", str(tmp_path / "here"), "--jobs", "2", "--public-only")
    assert code == 0
    summary = [line for line in beside_stdout.splitlines() if line.startswith("integrity:")]
    assert summary == [f"integrity: 1 similar-code (leads to read, not verdicts) in {tmp_path / 'beside'}"
                       f"/{integrity.FILE_NAME}"]
    assert summary[0].replace("beside", "here") in fallback_stdout.splitlines()
    for name in (integrity.FILE_NAME, integrity.KEY_FILE, "report.html"):
        assert (tmp_path / "beside" / name).read_bytes() == (tmp_path / "here" / name).read_bytes(), name
    assert processes_left_behind() == []
