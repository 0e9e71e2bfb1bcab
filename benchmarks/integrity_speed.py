"""How long the integrity report takes for a class of 300 submissions (the issue asks under 10 s on 2 cores).

The class (``class_codes``): mixes of the kit's buggy and correct variants, ten disguised copies
among them, with made-up failing reports of the same size. Prints the seconds for the code similarity (copydetect)
and for the shared wrong outputs, and how many leads each found.

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
from grader.results import CheckResult, Report  # noqa: E402
from tests.integrity.disguise import disguised  # noqa: E402
from tests.variants.build import BUGGY_DIR, CORRECT_DIR, REFERENCE, with_functions_replaced  # noqa: E402

CLASS_SIZE = 300
COPIES = 10


def class_codes() -> dict[str, str]:
    """300 students: each writes each of the six functions the way one of the kit's variants (correct or
    buggy, drawn with a fixed seed) does, so that pairs overlap in some functions as a real class's
    solutions do; ten of them hand in a disguised copy of another's file."""
    variants = sorted(BUGGY_DIR.glob("*.py")) + sorted(CORRECT_DIR.glob("*.py"))
    by_function: dict[str, list[str]] = {}
    for variant in variants:
        for node in ast.parse(variant.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef):
                by_function.setdefault(node.name, []).append(ast.get_source_segment(variant.read_text(), node))
    rng = random.Random(0)
    reference = REFERENCE.read_text(encoding="utf-8")
    order = [n.name for n in ast.parse(reference).body if isinstance(n, ast.FunctionDef)]  # the base's order
    codes = {}
    for student in range(CLASS_SIZE - COPIES):
        own = "\n\n".join(rng.choice(by_function[name]) for name in order if name in by_function)
        codes[f"student{student:03d}"] = with_functions_replaced(reference, "import numpy as np\n\n" + own)
    for copy in range(COPIES):
        codes[f"copier{copy:02d}"] = disguised(codes[f"student{copy * 7:03d}"])
    return codes


def class_reports(names: list[str]) -> list[Report]:
    """Each student fails 20 value checks with a message of the bare form; a few pairs share theirs."""
    reports = []
    for index, name in enumerate(names):
        seed = index - index % 2 if index < 20 else index  # ten pairs
        results = [CheckResult(f"forward_propagation: values on case {c}", "forward_propagation", 3, False,
                               f"A2: relative error {seed % 97 + c / 10:.1e} > 1e-07 (X (7, 2), n_h 5).")
                   for c in range(20)]
        reports.append(Report(name, results))
    return reports


def main() -> None:
    codes = class_codes()
    started = time.perf_counter()
    pairs = integrity.similar_code(codes, integrity.given_code())
    similarity = time.perf_counter() - started
    started = time.perf_counter()
    groups = integrity.shared_wrong_outputs(class_reports(list(codes)))
    shared = time.perf_counter() - started
    print(f"{len(codes)} submissions: code similarity {similarity:.2f} s ({len(pairs)} pairs), "
          f"shared wrong outputs {shared:.2f} s ({len(groups)} pairs), total {similarity + shared:.2f} s")


if __name__ == "__main__":
    main()
