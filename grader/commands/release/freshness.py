"""Refuse to release from stale sources: generated files must match ``solutions/`` and the checks.

``assign --check`` covers student/ and examples/; the fixtures are compared with
what ``backprop-lab fixtures`` would write now (recorded into a scratch folder).
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np

from grader import recording
from grader.contract import FIXTURES_DIR, REPO_ROOT
from grader.generated import stale_files


def _same_arrays(a: Path, b: Path) -> bool:
    """Two ``.npz`` files hold the same arrays (zip timestamps may differ, the numbers must not)."""
    with np.load(a, allow_pickle=False) as left, np.load(b, allow_pickle=False) as right:
        return sorted(left.files) == sorted(right.files) and all(
            np.array_equal(left[k], right[k]) for k in left.files)


def stale_fixtures(directory: Path = FIXTURES_DIR) -> list[Path]:
    """Committed fixture files that differ from a fresh recording (or are missing)."""
    stale = []
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch)
        for fresh_data in recording.record_moons(fresh):
            committed = directory / fresh_data.relative_to(fresh)
            if not committed.is_file() or not _same_arrays(committed, fresh_data):
                stale.append(committed)
        recording.record_expected(fresh / "public_expected.bin")
        committed = directory / "public_expected.bin"
        if not committed.is_file() or committed.read_bytes() != (fresh / "public_expected.bin").read_bytes():
            stale.append(committed)
    manifest = directory / "manifest.json"
    if not manifest.is_file() or json.loads(manifest.read_text()) != recording.manifest():
        stale.append(manifest)
    return stale


def stale_sources(root: Path = REPO_ROOT) -> list[str]:
    """One line per stale file, saying which command regenerates it; empty when all is fresh."""
    lines = [f"{path.relative_to(root)} is stale: run `backprop-lab assign`" for path in stale_files(root)]
    lines += [f"{path.relative_to(root)} is stale: run `backprop-lab fixtures`"
              for path in stale_fixtures(root / "grader" / "fixtures")]
    return lines
