"""Reproducible zip archives: the same tree always gives the same bytes."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


def write_zip(source: Path, zip_path: Path, prefix: str = "") -> Path:
    """Zip every file under ``source`` as ``prefix/relative/path``, sorted, with fixed timestamps.

    Executable files keep their mode (Gradescope runs ``run_autograder`` and ``setup.sh``).
    """
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            name = path.relative_to(source).as_posix()
            entry = zipfile.ZipInfo(f"{prefix}/{name}" if prefix else name, date_time=FIXED_TIME)
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            entry.external_attr = (0o100000 | mode) << 16  # a regular file with these permissions
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes())
    return zip_path
