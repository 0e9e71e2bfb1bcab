"""How long the integrity report takes for a class of 300 submissions (the issue asks under 10 s on 2 cores).

The class (``class_codes``): mixes of the kit's buggy and correct variants, ten disguised copies
among them. Their wrong outputs (``class_reports``) are what grading keeps for them, made up without
grading 300 files: a student whose function is one of the buggy variants' gets one digest per probe of
that function, the same for everyone who wrote it that way (as the same wrong numbers would be); each
copied student also has a slip of their own in one function, and a copier gets all of the original's.
Prints the seconds for the code similarity (copydetect) and for the shared wrong outputs, how many leads
each found, and the total.

    PYTHONPATH=. python benchmarks/integrity_speed.py
"""
from __future__ import annotations

import ast
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.commands.grade import integrity  # noqa: E402
from grader.commands.grade.wrong_outputs import digest  # noqa: E402
from grader.results import Report  # noqa: E402
from tests.integrity.disguise import disguised  # noqa: E402
from tests.variants.build import BUGGY_DIR, CORRECT_DIR, REFERENCE, with_functions_replaced  # noqa: E402

CLASS_SIZE = 300
COPIES = 10
PROBES = 6  # probes of one function (the catalogue has 4 to 9)


def class_codes() -> tuple[dict[str, str], dict[str, list[str]]]:
    """300 students: each writes each of the six functions the way one of the kit's variants (correct or
    buggy, drawn with a fixed seed) does, so that pairs overlap in some functions as a real class's
    solutions do; ten of them hand in a disguised copy of another's file. Returns name -> code and
    name -> the buggy variants' functions the student wrote ("<variant>:<function>")."""
    variants = sorted(BUGGY_DIR.glob("*.py")) + sorted(CORRECT_DIR.glob("*.py"))
    by_function: dict[str, list[tuple[str, str]]] = {}
    for variant in variants:
        text = variant.read_text(encoding="utf-8")
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef):
                buggy = variant.parent == BUGGY_DIR
                by_function.setdefault(node.name, []).append(
                    (ast.get_source_segment(text, node), f"{variant.stem}:{node.name}" if buggy else ""))
    rng = random.Random(0)
    reference = REFERENCE.read_text(encoding="utf-8")
    order = [n.name for n in ast.parse(reference).body if isinstance(n, ast.FunctionDef)]  # the base's order
    codes, bugs = {}, {}
    for student in range(CLASS_SIZE - COPIES):
        chosen = [rng.choice(by_function[name]) for name in order if name in by_function]
        name = f"student{student:03d}"
        codes[name] = with_functions_replaced(reference, "import numpy as np\n\n" + "\n\n".join(c for c, _ in chosen))
        bugs[name] = [bug for _, bug in chosen if bug]
    for copy in range(COPIES):
        original = f"student{copy * 7:03d}"
        bugs[original].append(f"own{copy}:{rng.choice(order)}")  # a slip of the original's own, copied with it
        codes[f"copier{copy:02d}"] = disguised(codes[original])
        bugs[f"copier{copy:02d}"] = bugs[original]
    return codes, bugs


def class_reports(bugs: dict[str, list[str]]) -> list[Report]:
    """Each student's wrong outputs: a digest per probe of each function written as a buggy variant does."""
    return [Report(name, wrong_outputs={f"{bug.split(':')[1]}/case{p}@grading": digest([bug, p])
                                        for bug in student_bugs for p in range(PROBES)})
            for name, student_bugs in bugs.items()]


def main() -> None:
    codes, bugs = class_codes()
    reports = class_reports(bugs)
    started = time.perf_counter()
    pairs = integrity.similar_code(codes, integrity.given_code())
    similarity = time.perf_counter() - started
    started = time.perf_counter()
    groups = integrity.shared_wrong_outputs(reports)
    shared = time.perf_counter() - started
    copiers = sum(any(name.startswith("copier") for name in lead.students) for lead in groups)
    print(f"{len(codes)} submissions: code similarity {similarity:.2f} s ({len(pairs)} pairs), "
          f"shared wrong outputs {shared:.3f} s ({len(groups)} groups, {copiers} with a copier), "
          f"total {similarity + shared:.2f} s")


if __name__ == "__main__":
    main()
