"""``grade`` tells its workers' zygotes which slow-to-import modules the submissions it grades import."""
from __future__ import annotations

from pathlib import Path

from grader.commands import grade
from grader.commands.grade.worker import Settings


class _NoPool:
    """Stands in for WorkerPool: keeps the settings it was given and grades nothing."""

    seen: list[Settings] = []

    def __init__(self, jobs: int, settings: Settings, deadline: float):
        _NoPool.seen.append(settings)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def grade(self, submissions, finished) -> None:
        pass


def test_the_workers_are_told_what_the_submissions_to_grade_import(tmp_path: Path, reference_file: Path, monkeypatch):
    folder = tmp_path / "class"
    folder.mkdir()
    reference = reference_file.read_text(encoding="utf-8")
    (folder / "alice.py").write_text("from sklearn.datasets import make_moons\n" + reference, encoding="utf-8")
    (folder / "bob.py").write_text("import matplotlib.pyplot as plt\nimport os\n" + reference, encoding="utf-8")
    (folder / "carol.py").write_text(reference, encoding="utf-8")
    monkeypatch.setattr(grade, "WorkerPool", _NoPool)
    _NoPool.seen.clear()
    grade.run([folder], tmp_path / "out", Settings(public_only=True), jobs=1)
    assert [s.preload for s in _NoPool.seen] == [("matplotlib.pyplot", "sklearn.datasets")]


def test_a_class_that_imports_none_of_them_preloads_nothing(tmp_path: Path, reference_file: Path, monkeypatch):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "carol.py").write_text(reference_file.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(grade, "WorkerPool", _NoPool)
    _NoPool.seen.clear()
    grade.run([folder], tmp_path / "out", Settings(public_only=True), jobs=1)
    assert [s.preload for s in _NoPool.seen] == [()]
