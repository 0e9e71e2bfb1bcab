"""`grade --shard I/N`: which shard a submission belongs to, where I/N comes from, what is refused, and
the promise of the issue: N shards merged give the very files of one unsharded run.

The comparison leaves out one field: ``extra_data.backprop_lab.seconds`` of results/<name>.json, the
time a submission took to grade (the only timing a run writes per student). Everything else of
grades.csv, results/*.json and feedback/*.md must be byte-identical, and merge prints the same summary.
The runs use --no-html: the students' pages are copied by merge byte for byte (tests/commands/test_merge.py),
and their pictures are drawn by a plotter thread whose failures are notes, not grades.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from grader import cli
from grader.commands.grade import shard
from grader.commands.grade.shard import Shard, ShardError, parse, shard_of

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples" / "submissions"
SECONDS = re.compile(rb'"seconds": [0-9.e+-]+')


def run_cli(*args: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


# ----------------------------------------------------------------------------- which shard

def test_a_submission_s_shard_is_the_sha256_of_its_name_mod_n():
    """Written out independently: the hex digest as a number, mod N, counted from 1."""
    for name, count in (("alice", 3), ("bob_12345_two_layer_net", 7), ("张伟", 5), ("x", 1)):
        expected = int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16) % count + 1
        assert shard_of(name, count) == expected


def test_shard_assignment_is_stable_when_submissions_are_added(tmp_path):
    """A grading run's record: adding submissions to the class moves none of the earlier ones."""
    first = [f"student{i:03d}" for i in range(40)]
    later = first + [f"late{i:03d}" for i in range(60)]
    for count in (3, 7):
        before = shard.record(Shard(1, count), {}, "en", True, [], first, [], {})["found"]
        after = shard.record(Shard(1, count), {}, "en", True, [], later, [], {})["found"]
        assert {name: after[name] for name in first} == before


def test_shards_share_out_the_class_roughly_evenly():
    names = [f"student{i:04d}" for i in range(1400)]
    sizes = [sum(1 for n in names if shard_of(n, 7) == i) for i in range(1, 8)]
    assert sum(sizes) == 1400 and min(sizes) > 140 and max(sizes) < 260, sizes


def test_a_name_that_is_not_utf8_has_a_shard():
    name = b"caf\xe9".decode("utf-8", "surrogateescape")  # a Latin-1 file name on a UTF-8 file system
    assert shard_of(name, 5) == int(hashlib.sha256(b"caf\xe9").hexdigest(), 16) % 5 + 1


# ----------------------------------------------------------------------------- I/N and the environment

@pytest.mark.parametrize("value, expected", [("1/1", (1, 1)), ("3/7", (3, 7)), (" 2/5 ", (2, 5))])
def test_shard_values(value, expected):
    assert parse(value, {}) == Shard(*expected)


@pytest.mark.parametrize("environ, expected", [
    ({"BACKPROP_LAB_SHARD": "2/5"}, (2, 5)),
    ({"JOB_COMPLETION_INDEX": "0", "BACKPROP_LAB_SHARDS": "4"}, (1, 4)),  # Kubernetes counts from 0
    ({"JOB_COMPLETION_INDEX": "3", "BACKPROP_LAB_SHARDS": "4"}, (4, 4)),
    ({"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_COUNT": "4"}, (3, 4)),
    ({"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "2"}, (1, 2)),
    ({"BACKPROP_LAB_SHARD": "1/2", "JOB_COMPLETION_INDEX": "1", "BACKPROP_LAB_SHARDS": "2"}, (1, 2)),  # ours first
], ids=["ours", "kubernetes-first", "kubernetes-last", "slurm", "slurm-from-0", "ours-wins"])
def test_shard_from_the_engines_environment(environ, expected):
    assert parse("env", environ) == Shard(*expected)


BAD_VALUES = ["0/3", "4/3", "x", "3", "1/0", "-1/3", "1/3/5", "", "1.5/3"]
BAD_ENVIRONMENTS = [
    {},
    {"BACKPROP_LAB_SHARD": "4/3"},
    {"JOB_COMPLETION_INDEX": "0"},  # Kubernetes without the count
    {"JOB_COMPLETION_INDEX": "4", "BACKPROP_LAB_SHARDS": "4"},
    {"JOB_COMPLETION_INDEX": "one", "BACKPROP_LAB_SHARDS": "4"},
    {"SLURM_ARRAY_TASK_ID": "2"},  # Slurm without min and count
    {"SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"},
    {"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"},
]


@pytest.mark.parametrize("value", BAD_VALUES)
def test_a_bad_shard_value_is_one_line_and_exit_2(value, tmp_path):
    with pytest.raises(ShardError):
        parse(value, {})
    code, stdout, stderr = run_cli("grade", EXAMPLES, "--out", tmp_path / "g", f"--shard={value}")
    assert code == 2 and stdout == ""
    assert len(stderr.splitlines()) == 1 and stderr.startswith("error: --shard"), stderr
    assert not (tmp_path / "g").exists()


@pytest.mark.parametrize("environ", BAD_ENVIRONMENTS, ids=range(len(BAD_ENVIRONMENTS)))
def test_a_missing_or_inconsistent_environment_is_one_line_and_exit_2(environ, tmp_path, monkeypatch):
    for key in ("BACKPROP_LAB_SHARD", "BACKPROP_LAB_SHARDS", "JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID",
                "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT"):
        monkeypatch.delenv(key, raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    code, stdout, stderr = run_cli("grade", EXAMPLES, "--out", tmp_path / "g", "--shard", "env")
    assert code == 2 and stdout == ""
    assert len(stderr.splitlines()) == 1 and stderr.startswith("error: "), stderr
    assert not (tmp_path / "g").exists()


# ----------------------------------------------------------------------------- N shards = one run

def without_timing(path: Path) -> bytes:
    """A results file's bytes, the seconds its submission took to grade (the one timing) blanked out."""
    data = path.read_bytes()
    assert len(SECONDS.findall(data)) == 1, path
    return SECONDS.sub(b'"seconds": _', data)


def summary_of(stdout: str, until: str) -> str:
    return stdout.split(until, 1)[0]


@pytest.fixture(scope="module")
def unsharded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A small class (the examples and two more copies) graded in one run: (submissions, output, stdout)."""
    root = tmp_path_factory.mktemp("class")
    submissions = Path(shutil.copytree(EXAMPLES, root / "submissions"))
    shutil.copy(EXAMPLES / "reference.py", submissions / "alice.py")
    shutil.copy(EXAMPLES / "bug_update_plus.py", submissions / "bob.py")
    (root / "whole").mkdir()
    (root / "whole" / "shard.json").write_text("{}")  # an earlier shard's record in the same folder
    code, stdout, stderr = run_cli("grade", submissions, "--out", root / "whole", "--public-only", "--no-html")
    assert code == 0, stderr
    return submissions, root / "whole", stdout


@pytest.mark.slow
def test_an_unsharded_run_removes_an_earlier_shard_record(unsharded):
    """merge would otherwise read it, and take this run's files for the earlier shard's."""
    assert not (unsharded[1] / "shard.json").exists()


@pytest.mark.slow
@pytest.mark.parametrize("count", [1, 3, 7])
def test_n_shards_merged_equal_one_unsharded_run(count, unsharded, tmp_path):
    submissions, whole, whole_stdout = unsharded
    folders = []
    for index in range(1, count + 1):
        folder = tmp_path / f"shard{index}"
        code, _, stderr = run_cli("grade", submissions, "--out", folder, "--public-only", "--no-html",
                                  "--jobs", "1", "--shard", f"{index}/{count}")
        assert code == 0, stderr
        folders.append(folder)
    graded = [json.loads((f / "shard.json").read_text())["graded"] for f in folders]
    assert sorted(n for names in graded for n in names) == sorted(p.stem for p in submissions.glob("*.py"))
    code, stdout, stderr = run_cli("merge", *folders, "--out", tmp_path / "merged", "--no-html")
    assert code == 0, stderr
    merged = tmp_path / "merged"

    assert (merged / "grades.csv").read_bytes() == (whole / "grades.csv").read_bytes()
    names = sorted(p.name for p in (whole / "results").iterdir())
    assert sorted(p.name for p in (merged / "results").iterdir()) == names
    for name in names:
        assert without_timing(merged / "results" / name) == without_timing(whole / "results" / name), name
    feedback = sorted(p.name for p in (whole / "feedback").iterdir())
    assert sorted(p.name for p in (merged / "feedback").iterdir()) == feedback
    for name in feedback:
        assert (merged / "feedback" / name).read_bytes() == (whole / "feedback" / name).read_bytes(), name
    assert summary_of(stdout, "\nmerged ") == summary_of(whole_stdout, "\nsandbox: ")
