"""``backprop-lab release --out DIR``: the student kit and the three autograders, from the current sources.

    freshness.py    refuse stale student/, examples/ or fixtures (what `assign --check` and
                    `fixtures` would change)
    modules.py      which grader modules the student kit needs (an import closure)
    student_kit.py  DIR/student/: stub, public checks, fixtures, docs, READMEs, CI workflow
    leak_guard.py   no solution line, hidden check or hidden fixture in DIR/student/ or student.zip
    archive.py      reproducible zips
    gradescope.py   DIR/gradescope/autograder.zip (setup.sh, run_autograder, the kit)
    autograder.py   what run_autograder runs on Gradescope
    engines.py      DIR/engines/: GitHub Actions, Kubernetes and Slurm manifests that grade in shards
    DIR/otter/autograder.zip comes from grader.commands.release.otter.build_autograder.

Exit codes: 0 released; 1 refused (stale sources or a leak: nothing to hand out);
2 cannot build (otter-grader missing without --skip-otter, a file missing).
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from grader.commands.release import engines
from grader.commands.release.archive import write_zip
from grader.contract import REPO_ROOT

if TYPE_CHECKING:  # the parts are imported where they are used: Gradescope's ``python -m
    # grader.commands.release.autograder`` imports this package first, and needs none of them (0.3 s)
    from grader.commands.release import leak_guard

STUDENT_ZIP_FOLDER = "backprop-lab"  # unzipping student.zip makes this one folder
OUTPUTS = ("student", "student.zip", "otter", "gradescope", "engines")


def clear(out: Path) -> None:
    """Remove the outputs of an earlier release in ``out`` (and nothing else there)."""
    for name in OUTPUTS:
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def build_student(out: Path, root: Path = REPO_ROOT, language: str = "en") -> list[leak_guard.Leak]:
    """DIR/student/ and DIR/student.zip (the kit speaking ``language`` by default), then the leak
    guard over both; returns the leaks found."""
    from grader.commands.release import leak_guard, student_kit

    kit = student_kit.build(out / "student", root, language)
    archive = write_zip(kit, out / "student.zip", prefix=STUDENT_ZIP_FOLDER)
    return leak_guard.find_leaks([kit, archive], out, set(student_kit.SHIPPED_FIXTURES), root)


def build_otter(out: Path, language: str = "en") -> Path:
    """DIR/otter/autograder.zip with otter-grader's ``otter generate``, its feedback in ``language``."""
    from grader.commands.release import otter  # imports otter-grader's own modules only when run

    return otter.build_autograder(out / "otter", language)


def main(out: Path, skip_otter: bool = False, root: Path = REPO_ROOT, language: str = "en",
         shards: int = engines.DEFAULT_SHARDS) -> int:
    """``language``: the student kit's default language (``release --lang``); ``shards``: how many
    shards the engines' manifests grade in (``release --shards``)."""
    from grader.commands.release import freshness, gradescope, leak_guard, student_kit

    out = Path(out)
    stale = freshness.stale_sources(root)
    if stale:
        for line in stale:
            print(f"error: {line}", file=sys.stderr)
        print("release refused: the generated files must match solutions/ and the checks", file=sys.stderr)
        return 1
    clear(out)
    try:
        leaks = build_student(out, root, language)
    except (student_kit.KitError, leak_guard.LeakGuardError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if leaks:
        for leak in leaks:
            print(f"leak: {leak}", file=sys.stderr)
        (out / "student.zip").unlink()
        print(f"release refused: {len(leaks)} leaks in the student kit; student.zip was removed, "
              f"{out / 'student'} is kept for inspection", file=sys.stderr)
        return 1
    print(f"wrote {out / 'student'}/ and {out / 'student.zip'} (leak guard: clean)")
    print(f"wrote {gradescope.build(out / 'gradescope', root, language)}")
    print(f"wrote {engines.write(out / 'engines', shards)}/ (GitHub Actions, Kubernetes, Slurm; {shards} shards)")
    if skip_otter:
        print("skipped the otter autograder (--skip-otter)")
        return 0
    try:
        build_otter(out, language)
        print(f"wrote {out / 'otter' / 'autograder.zip'}")  # the path as given, like the lines above
    except RuntimeError as error:  # otter-grader missing, or `otter generate` failing
        print(f"error: the otter autograder was not built: {error}\n"
              "(install otter-grader with pip install \"backprop-lab[otter]\", or pass --skip-otter)",
              file=sys.stderr)
        return 2
    return 0
