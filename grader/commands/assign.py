"""``backprop-lab assign``: generate student/ and examples/submissions/ from solutions/.

What is generated is defined in ``grader/generated.py`` (from the solution markers of
``grader/markers.py``); ``--check`` only compares.
"""
from __future__ import annotations

import sys
from pathlib import Path

from grader.contract import REPO_ROOT
from grader.generated import generated_files, stale_files
from grader.markers import MarkerError


def main(check_only: bool = False, root: Path = REPO_ROOT) -> int:
    try:
        if check_only:
            stale = stale_files(root)
            for path in stale:
                print(f"stale: {path.relative_to(root)} (run `backprop-lab assign`)", file=sys.stderr)
            if not stale:
                print("student/ and examples/ are up to date with solutions/")
            return 1 if stale else 0
        for path, text in generated_files(root).items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(root)}")
    except (MarkerError, ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
