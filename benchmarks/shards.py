"""N shards on one machine, merged, against one unsharded run.

    python benchmarks/shards.py [--n 40] [--shards 3] [--concurrent] [--public-only] [--html]

On the same submissions (copies of examples/submissions/reference.py and of the example bugs, in a
temporary folder):

1. ``backprop-lab grade FOLDER --out WHOLE`` (all cores): wall clock.
2. ``backprop-lab grade FOLDER --out SHARD_I --shard I/N --jobs 1`` for I = 1..N, one after another
   (each as one engine's copy would run it, on one core), or all at once with ``--concurrent``:
   the wall clock of each and of all, and how many submissions each graded.
3. ``backprop-lab merge SHARD_1 ... SHARD_N --out MERGED``: wall clock.
4. The comparison the tests make (tests/commands/test_shards.py): grades.csv, results/*.json with
   their ``"seconds"`` field (the one timing) blanked out, and feedback/*.md byte for byte.

On N machines a sharded run takes about the slowest shard's wall time plus the merge; one after
another on one machine it shows each shard's fixed cost (process start, the reference, the zygote).
No assertions beyond the final line "merged output equals unsharded: True/False".
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grading import REPO_ROOT, checkout_env, make_class  # noqa: E402 (beside this file)
from grading import timed as timed_command  # noqa: E402

SECONDS = re.compile(rb'"seconds": [0-9.e+-]+')


def timed(args: list[str]) -> float:
    """Run ``backprop-lab ARGS`` (this checkout's); its wall time. Exits with its stderr when it fails."""
    seconds, done = timed_command([sys.executable, "-m", "grader", *args], env=checkout_env(), cwd=REPO_ROOT)
    if done.returncode != 0:
        sys.exit(f"backprop-lab {' '.join(args[:1])} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


def files(folder: Path) -> dict[str, bytes]:
    """grades.csv, results/*.json (timing blanked) and feedback/*.md of an output folder, by relative path."""
    found = {"grades.csv": (folder / "grades.csv").read_bytes()}
    for path in sorted((folder / "results").glob("*.json")):
        found[f"results/{path.name}"] = SECONDS.sub(b'"seconds": _', path.read_bytes())
    for path in sorted((folder / "feedback").glob("*.md")):
        found[f"feedback/{path.name}"] = path.read_bytes()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=40, help="submissions (default 40)")
    parser.add_argument("--shards", type=int, default=3, help="N (default 3)")
    parser.add_argument("--concurrent", action="store_true", help="run the shards at once (default: in turn)")
    parser.add_argument("--public-only", action="store_true", help="public checks only (quicker)")
    parser.add_argument("--html", action="store_true", help="also write the HTML pages (default: --no-html)")
    options = parser.parse_args()
    common = (["--public-only"] if options.public_only else []) + ([] if options.html else ["--no-html"])
    with tempfile.TemporaryDirectory(prefix="backprop-lab-shards-") as scratch:
        root = Path(scratch)
        make_class(root / "class", options.n)
        whole = timed(["grade", str(root / "class"), "--out", str(root / "whole"), *common])
        print(f"{options.n} submissions; unsharded, all cores: {whole:.2f} s")

        def one(index: int) -> float:
            return timed(["grade", str(root / "class"), "--out", str(root / f"shard{index}"), *common,
                          "--jobs", "1", "--shard", f"{index}/{options.shards}"])

        indices = range(1, options.shards + 1)
        start = time.perf_counter()
        if options.concurrent:
            with ThreadPoolExecutor(options.shards) as pool:
                walls = list(pool.map(one, indices))
        else:
            walls = [one(index) for index in indices]
        all_shards = time.perf_counter() - start
        for index, wall in zip(indices, walls, strict=True):
            graded = (root / f"shard{index}" / "grades.csv").read_text().count("\n") - 1
            print(f"shard {index}/{options.shards}: {graded:3d} submissions, --jobs 1: {wall:.2f} s")
        how = "at once" if options.concurrent else "one after another"
        print(f"{options.shards} shards {how}: {all_shards:.2f} s; slowest shard {max(walls):.2f} s "
              f"(the wall time on {options.shards} machines, before the merge)")
        merge = timed(["merge", *(str(root / f"shard{i}") for i in indices), "--out", str(root / "merged"),
                       *([] if options.html else ["--no-html"])])
        print(f"merge: {merge:.2f} s")
        print(f"merged output equals unsharded: {files(root / 'merged') == files(root / 'whole')}")
        shutil.rmtree(root / "class")


if __name__ == "__main__":
    main()
