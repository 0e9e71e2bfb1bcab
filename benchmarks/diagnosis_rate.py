"""How often a realistic single-bug submission gets a report that names its exact mistake.

    python benchmarks/diagnosis_rate.py [--lang en|zh|both]

Grades every bug of the kit's corpus (tests/variants/corpus.py: the known mistakes and the
hand-written buggy files) with the hidden checks, in this process, and prints per bug whether the
failing checks of its function name the mistake (the corpus's needle, English) and whether any
quotes another mistake's hint (misleading); in Chinese, whether the diagnosis is translated (the
English needle is gone) and whether the outputs have any English word left. Prints the rates.
No assertions: tests/checks/test_corpus.py asserts.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from grader import i18n, runner  # noqa: E402
from grader.reference import LiveReference  # noqa: E402
from tests.language import english_left  # noqa: E402
from tests.variants.corpus import bugs, own_failures, verdict, write  # noqa: E402


def grade(path: Path, live: LiveReference):
    original = runner.LiveReference
    runner.LiveReference = lambda: live
    try:
        return runner.check_file(path, hidden=True)
    finally:
        runner.LiveReference = original


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=("en", "zh", "both"), default="both")
    args = parser.parse_args(argv)
    live = LiveReference()
    corpus = bugs()
    languages = ("en", "zh") if args.lang == "both" else (args.lang,)
    with tempfile.TemporaryDirectory() as folder:
        paths = {bug.name: write(bug, Path(folder)) for bug in corpus}
        for language in languages:
            i18n.use(language)
            named = misled = chinese = 0
            for bug in corpus:
                report = grade(paths[bug.name], live)
                found, misleading = verdict(report, bug)
                if language == "en":
                    named += found
                    word = "named " if found else "MISSED"
                else:  # translated: the English needle is gone; Chinese: no English word left at all
                    outputs = [r.output for r in own_failures(report, bug)]
                    found = bool(outputs) and not any(bug.needle in output for output in outputs)
                    named += found
                    chinese += not [w for output in outputs for w in english_left(output)]
                    word = "translated" if found else "ENGLISH   "
                misled += bool(misleading)
                extra = f"  misleading: {', '.join(misleading)}" if misleading else ""
                print(f"[{language}] {word}  {bug.function:22} {bug.name}{extra}")
            if language == "en":
                print(f"[en] {named}/{len(corpus)} = {named / len(corpus):.0%} name the exact mistake; "
                      f"{misled} misleading")
            else:
                print(f"[zh] {named}/{len(corpus)} = {named / len(corpus):.0%} have the diagnosis translated; "
                      f"{chinese}/{len(corpus)} reports wholly Chinese (the check modules' own texts aside "
                      f"from the catalogue count too); {misled} misleading")
    i18n.use(None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
