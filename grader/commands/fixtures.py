"""``backprop-lab fixtures``: record the moons data and the reference's public observations.

Run it after changing ``solutions/`` or a public check; a test fails while the
committed fixtures differ from what this would write (``grader/recording.py`` records them).
"""
from __future__ import annotations

import json
from pathlib import Path

from grader.contract import FIXTURES_DIR
from grader.recording import manifest, record_expected, record_moons


def main(directory: Path = FIXTURES_DIR) -> int:
    for path in record_moons(directory):
        print(f"wrote {path}")
    path = directory / "public_expected.bin"
    record = record_expected(path)
    print(f"wrote {path} ({len(record)} probes)")
    (directory / "manifest.json").write_text(json.dumps(manifest(), indent=2) + "\n")
    print(f"wrote {directory / 'manifest.json'}")
    return 0
