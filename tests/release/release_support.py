"""Helpers shared by the release tests (conftest.py holds the fixtures)."""
from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples" / "submissions"
OTTER_INSTALLED = importlib.util.find_spec("otter") is not None


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command, capturing text output; never raises on a non-zero exit."""
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


def venv_env(bin_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a shell with the venv activated (and nothing of this one's Python)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(bin_dir.parent)
    return env | extra
