"""`backprop-lab merge`: what it refuses (one line, exit 2, nothing written) and what it rebuilds.

The shard folders here are written by grade's own store (``OutputFolder.record``) and shard record
(``shard.record``) from made-up reports, so these tests run in milliseconds; tests/commands/test_shards.py
merges real shards and compares them with an unsharded run.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from grader import cli
from grader.checks import catalogue
from grader.commands.grade import merge, shard
from grader.commands.grade.fingerprint import Fingerprint
from grader.commands.grade.store import OutputFolder
from grader.commands.grade.worker import Outcome
from grader.i18n import speaking
from grader.results import Report
from grader.status import Status

NAMES = [f"student{i:02d}" for i in range(12)]
GRADER = Fingerprint({"checks": "1" * 64, "reference": "2" * 64, "options": "3" * 64})


def report_for(name: str, checks: list) -> Report:
    """A made-up report whose passed checks depend on the name (every student scores differently)."""
    number = int(name[-2:])
    shared = {"compute_cost/small": "a1" * 8, "forward_propagation/small": "b2" * 8} if number in (2, 6) else {}
    return Report(name, [c.result((i + number) % 3 != 0, f"message {i} of {name}") for i, c in enumerate(checks)],
                  wrong_outputs=shared)


def fake_shard(root: Path, index: int, count: int, names: list[str] = NAMES, grader: Fingerprint = GRADER,
               language: str = "en") -> Path:
    """The --out folder of `grade --shard index/count` over ``names``, as grade's store writes it."""
    out = root / f"shard{index}of{count}"
    with speaking(language):
        checks = catalogue()
        folder = OutputFolder(out, checks, grader)
        mine = [name for name in names if shard.shard_of(name, count) == index]
        for name in mine:
            folder.record(Outcome(report_for(name, checks)), "f" * 64)
        shard.write(out, shard.record(shard.Shard(index, count), grader.to_json(), language, True, checks, names,
                                      mine, {name: f"# code of {name}\n" for name in mine}))
    return out


def run_merge(*args: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["merge", *map(str, args)])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def shards(tmp_path: Path) -> list[Path]:
    return [fake_shard(tmp_path, i, 3) for i in (1, 2, 3)]


def refused(args: list[object], out: Path) -> str:
    """Merge ``args`` into ``out``; assert it refused with one line, exit 2, writing nothing; the line."""
    code, stdout, stderr = run_merge(*args, "--out", out)
    assert code == 2
    assert stdout == ""
    assert len(stderr.splitlines()) == 1 and stderr.startswith("error: "), stderr
    assert not out.exists()
    return stderr


def edited(path: Path, tmp_path: Path, change) -> Path:
    """A copy of the shard folder ``path`` whose shard.json ``change(record)`` edited."""
    copy = Path(shutil.copytree(path, tmp_path / f"edited-{path.name}"))
    record = json.loads((copy / "shard.json").read_text())
    change(record)
    (copy / "shard.json").write_text(json.dumps(record))
    return copy


# ----------------------------------------------------------------------------- what it writes

def test_merged_table_has_every_submission_once_with_its_points(shards, tmp_path):
    code, stdout, _ = run_merge(*shards, "--out", tmp_path / "merged", "--no-html")
    assert code == 0
    with (tmp_path / "merged" / "grades.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["submission"] for row in rows] == NAMES
    checks = catalogue()
    for row in rows:
        assert float(row["score"]) == report_for(row["submission"], checks).score
    assert "12 submissions, out of" in stdout and "merged 3 shards (3 in all)" in stdout


def test_merged_folder_holds_every_shards_files_byte_for_byte(shards, tmp_path):
    assert run_merge(*shards, "--out", tmp_path / "merged", "--no-html")[0] == 0
    for folder, suffix in (("results", ".json"), ("feedback", ".md")):
        merged = sorted((tmp_path / "merged" / folder).glob(f"*{suffix}"))
        assert [p.stem for p in merged] == NAMES
        for path in merged:
            source = next(s / folder / path.name for s in shards if (s / folder / path.name).exists())
            assert path.read_bytes() == source.read_bytes()


def test_merging_into_an_old_shard_folder_leaves_no_shard_record_there(shards, tmp_path):
    old = fake_shard(tmp_path / "old", 1, 1)
    assert run_merge(*shards, "--out", old, "--no-html")[0] == 0
    assert not (old / "shard.json").exists()


def test_a_report_is_rebuilt_from_its_results_file_as_graded_titles_included(tmp_path):
    """In Chinese the results file's output starts with the check's title: merge gives back the very report."""
    out = fake_shard(tmp_path, 1, 1, NAMES[:2], language="zh")
    output = merge.read_shard(out)
    with speaking("zh"):
        expected = report_for(NAMES[0], catalogue())
    assert any(r.title != r.name for r in expected.results)
    assert merge.reports_of(output)[NAMES[0]] == expected


def test_students_sharing_unusual_wrong_outputs_in_different_shards_are_one_lead(shards, tmp_path):
    assert len({shard.shard_of(name, 3) for name in ("student02", "student06")}) == 2  # graded apart
    assert run_merge(*shards, "--out", tmp_path / "merged", "--no-html")[0] == 0
    with (tmp_path / "merged" / "integrity.csv").open(newline="") as handle:
        leads = [row for row in csv.DictReader(handle) if row["kind"] == "same-wrong-output"]
    assert [("student02" in row["students"], "student06" in row["students"]) for row in leads] == [(True, True)]


def test_an_empty_shard_merges(tmp_path):
    """Seven shards of three submissions: most shards grade nothing and still say what they found."""
    names = NAMES[:3]
    shards = [fake_shard(tmp_path, i, 7, names) for i in range(1, 8)]
    assert sum(1 for s in shards if not json.loads((s / "shard.json").read_text())["graded"]) >= 4
    assert run_merge(*shards, "--out", tmp_path / "merged", "--no-html")[0] == 0
    assert (tmp_path / "merged" / "grades.csv").read_text().count("\n") == 1 + len(names)


def test_a_submission_the_grader_failed_on_makes_merge_exit_1(tmp_path):
    out = fake_shard(tmp_path, 1, 1, NAMES[:2])
    results = out / "results" / f"{NAMES[0]}.json"
    data = json.loads(results.read_text())
    data["extra_data"]["backprop_lab"]["status"] = Status.GRADER_ERROR.value
    results.write_text(json.dumps(data))
    code, stdout, _ = run_merge(out, "--out", tmp_path / "merged", "--no-html")
    assert code == 1
    assert f"not graded because the grader failed (run again): {NAMES[0]}" in stdout


# ----------------------------------------------------------------------------- what it refuses

def test_merge_refuses_shards_graded_by_different_graders_and_names_them(shards, tmp_path):
    def other_checks(record):
        record["grader_fingerprint"]["parts"]["checks"] = "9" * 64

    faked = edited(shards[1], tmp_path, other_checks)
    line = refused([shards[0], faked, shards[2]], tmp_path / "merged")
    assert str(faked) in line and str(shards[0]) in line and "(checks differ)" in line


def test_merge_refuses_shards_of_different_counts(shards, tmp_path):
    other = fake_shard(tmp_path, 2, 4)
    line = refused([shards[0], other, shards[2]], tmp_path / "merged")
    assert "different counts" in line and "2/4" in line


def test_merge_refuses_the_same_shard_twice(shards, tmp_path):
    copy = shutil.copytree(shards[0], tmp_path / "again")
    line = refused([*shards, copy], tmp_path / "merged")
    assert "shard 1/3 given twice" in line


def test_merge_names_missing_shards(shards, tmp_path):
    assert "missing shard 2/3" in refused([shards[0], shards[2]], tmp_path / "merged")
    assert "missing shards 2/3, 3/3" in refused([shards[0]], tmp_path / "merged")


def test_merge_names_a_submission_no_shard_graded(shards, tmp_path):
    lost = json.loads((shards[1] / "shard.json").read_text())["graded"][0]
    faked = edited(shards[1], tmp_path, lambda record: record["graded"].remove(lost))
    line = refused([shards[0], faked, shards[2]], tmp_path / "merged")
    assert "1 submission found but graded by no shard" in line and f"{lost} (shard 2/3)" in line


def test_merge_names_a_submission_graded_twice(shards, tmp_path):
    taken = json.loads((shards[1] / "shard.json").read_text())["graded"][0]
    faked = edited(shards[0], tmp_path, lambda record: record["graded"].append(taken))
    shutil.copy(shards[1] / "results" / f"{taken}.json", faked / "results")
    line = refused([faked, shards[1], shards[2]], tmp_path / "merged")
    assert f"graded by more than one shard: {taken}" in line


def test_merge_refuses_a_folder_that_is_no_shard(shards, tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    assert "no shard record shard.json" in refused([*shards, plain], tmp_path / "merged")
    (plain / "shard.json").write_text("{\"shard\": 5}")
    assert "not a shard record" in refused([*shards, plain], tmp_path / "merged")


def test_merge_refuses_a_missing_results_file(shards, tmp_path):
    name = json.loads((shards[2] / "shard.json").read_text())["graded"][0]
    (shards[2] / "results" / f"{name}.json").unlink()
    line = refused(shards, tmp_path / "merged")
    assert f"{name}.json: cannot be read" in line and "grade shard 3/3 again" in line


def test_merge_refuses_to_write_into_one_of_its_shards(shards, tmp_path):
    code, stdout, stderr = run_merge(*shards, "--out", shards[1])
    assert code == 2 and stdout == "" and len(stderr.splitlines()) == 1
    assert "is one of the shards" in stderr
