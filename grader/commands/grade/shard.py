"""``grade --shard I/N``: grade one deterministic N-th of the submissions; ``DIR/shard.json`` records it.

A submission belongs to shard ``shard_of(name, N)``: the SHA-256 of its name, as a number, mod N, plus
one (shards are numbered 1..N, as people count). Only its own name decides, so adding submissions never
moves another one to a different shard, and every copy of the command (an Actions matrix, a Kubernetes
Indexed Job, a Slurm array) that collects the same paths agrees on who grades what without talking.

``--shard env`` takes I/N from the engine that started the copy, first found wins:

    BACKPROP_LAB_SHARD="I/N"                      set by hand, or by any engine
    JOB_COMPLETION_INDEX (0-based) + BACKPROP_LAB_SHARDS=N
                                                  Kubernetes Indexed Job (it does not expose the
                                                  completion count: the manifest sets it)
    SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT
                                                  Slurm job array: I = id - min + 1, N = count

A GitHub Actions matrix passes the value itself: ``--shard ${{ matrix.shard }}/N``.

The shard record ``DIR/shard.json`` is what ``backprop-lab merge`` reads (``merge.py``):

    shard, shards        I and N
    grader_fingerprint   the grader of the run (fingerprint.py): shards of one merge must agree
    language, public_only
    checks               name, function, points, hidden, title of every check (the title in the run's
                         language): merge rebuilds the reports from results/*.json without the catalogue
    found                every submission the collection found -> its shard (merge names the ones no
                         shard graded)
    graded               the submissions with a results file in DIR from this run (graded now, kept or refused)
    graded_code          name -> the code graded, for merge's integrity.csv
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.checks import Check
from grader.commands.grade.store import write_atomic

RECORD_FILE = "shard.json"
ENVIRONMENT = "BACKPROP_LAB_SHARD"
KUBERNETES_INDEX, KUBERNETES_COUNT = "JOB_COMPLETION_INDEX", "BACKPROP_LAB_SHARDS"
SLURM_ID, SLURM_MIN, SLURM_COUNT = "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT"


class ShardError(ValueError):
    """A shard that cannot be used as given; the message is one line for the instructor."""


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count``, 1 <= index <= count."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, name: str) -> bool:
        return shard_of(name, self.count) == self.index


def shard_of(name: str, count: int) -> int:
    """The shard (1..count) of the submission ``name``: SHA-256 of its UTF-8 bytes mod ``count``, plus one.
    A name that is not UTF-8 (surrogate escapes of the file system's bytes) is hashed as those bytes."""
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that is no escape (a JSON name, say)
        raw = name.encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.sha256(raw).digest(), "big") % count + 1


def parse(value: str, environ: Mapping[str, str] | None = None) -> Shard:
    """``--shard``'s value: "I/N", or "env" for the engine's environment (see the module docstring).
    Raises ShardError."""
    if value.strip() == "env":
        return from_environment(os.environ if environ is None else environ)
    return _parsed(value, "--shard")


def _parsed(value: str, where: str) -> Shard:
    index, slash, count = value.strip().partition("/")
    if not slash or not index.strip().isdigit() or not count.strip().isdigit():
        raise ShardError(f"{where} {value!r}: expected I/N, shard I of N counted from 1 (e.g. 2/5), or env")
    shard = Shard(int(index), int(count))
    if shard.count < 1 or not 1 <= shard.index <= shard.count:
        raise ShardError(f"{where} {value!r}: the shard must be between 1 and N (N at least 1)")
    return shard


def from_environment(environ: Mapping[str, str]) -> Shard:
    """The shard the engine that started this process set in ``environ``. Raises ShardError."""
    if environ.get(ENVIRONMENT, "").strip():
        return _parsed(environ[ENVIRONMENT], ENVIRONMENT)
    if environ.get(KUBERNETES_INDEX, "").strip():
        index = _number(environ, KUBERNETES_INDEX)
        if not environ.get(KUBERNETES_COUNT, "").strip():
            raise ShardError(f"--shard env: {KUBERNETES_INDEX} is set but {KUBERNETES_COUNT} is not (Kubernetes "
                             "does not expose an Indexed Job's completions: set it to the same number)")
        return _parsed(f"{index + 1}/{_number(environ, KUBERNETES_COUNT)}", f"{KUBERNETES_INDEX}+1/{KUBERNETES_COUNT}")
    if environ.get(SLURM_ID, "").strip():
        task, first, count = (_number(environ, key) for key in (SLURM_ID, SLURM_MIN, SLURM_COUNT))
        return _parsed(f"{task - first + 1}/{count}", f"{SLURM_ID}-{SLURM_MIN}+1/{SLURM_COUNT}")
    raise ShardError(f"--shard env: none of {ENVIRONMENT}, {KUBERNETES_INDEX} (Kubernetes) or {SLURM_ID} (Slurm) "
                     "is set; pass --shard I/N")


def _number(environ: Mapping[str, str], key: str) -> int:
    text = environ.get(key, "").strip()
    if not text.isdigit():
        raise ShardError(f"--shard env: {key}={text!r} is not a whole number" if text
                         else f"--shard env: {key} is not set")
    return int(text)


# ------------------------------------------------------------------ the record


def check_rows(checks: Iterable[Check]) -> list[dict[str, Any]]:
    """What merge needs of each check to rebuild a report from its results file."""
    return [{"name": c.name, "function": c.function, "points": c.points, "hidden": c.hidden, "title": c.shown}
            for c in checks]


def record(shard: Shard, grader: dict[str, Any], language: str, public_only: bool, checks: Iterable[Check],
           found: Iterable[str], graded: Iterable[str], graded_code: Mapping[str, str]) -> dict[str, Any]:
    """The shard record of a run (see the module docstring); ``grader``: the fingerprint's JSON."""
    graded = sorted(graded)
    return {"shard": shard.index, "shards": shard.count, "grader_fingerprint": grader,
            "language": language, "public_only": public_only, "checks": check_rows(checks),
            "found": {name: shard_of(name, shard.count) for name in sorted(found)},
            "graded": graded, "graded_code": {name: graded_code[name] for name in graded if name in graded_code}}


def write(out: Path, data: dict[str, Any]) -> Path:
    """Write ``out/shard.json`` atomically; returns its path."""
    path = Path(out) / RECORD_FILE
    write_atomic(path, json.dumps(data, indent=1) + "\n")
    return path
