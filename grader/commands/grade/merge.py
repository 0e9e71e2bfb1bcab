"""``backprop-lab merge SHARD_DIR... --out DIR``: the output folders of ``grade --shard I/N`` as one run's.

It lives beside grade because it is grade's second half: it writes the same files with the same code.

    DIR/results/, DIR/feedback/ (.md and .html), DIR/networks/
                        each shard's files of the submissions it graded, copied byte for byte
    DIR/grades.csv      rebuilt from the results files (store.py writes it, as grade does)
    DIR/integrity.csv   rebuilt from every shard's graded code and results (integrity.py)
    DIR/report.html     the class report (pages.py); needs the course's grading secret, like grade
    DIR/<lms>.csv       with --roster and --export, as grade writes them (gradebook.py)

and prints grade's class summary. The reports are rebuilt from the results files and the checks
listed in each shard record (``shard.py``): merge needs neither the catalogue nor the submissions.

Refused, with one line and exit 2, before anything is written: an input without ``shard.json``,
shards of different N, shards graded by different graders (their fingerprints differ: the parts that
differ are named), a shard given twice, missing shards, a submission graded by two shards, a submission
some shard's collection found that no shard graded, a results file that cannot be read, and ``--out``
being one of the inputs. Exit 1 when a merged submission is to be graded again (grader-error), as grade.
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import i18n
from grader.commands.grade import class_summary, gradebook, integrity, status_lines
from grader.commands.grade.fingerprint import Fingerprint
from grader.commands.grade.shard import RECORD_FILE, Shard
from grader.commands.grade.store import OutputFolder, file_stem, recorded_digests, write_atomic
from grader.formats.gradescope import EXTRA_KEY
from grader.reference import ReferenceUnavailable
from grader.results import CheckResult, Report
from grader.status import Status
from grader.text import counted, printable

COPIED = (("results", ".json"), ("feedback", ".md"), ("feedback", ".html"), ("networks", ".json"))


class MergeError(ValueError):
    """The shards cannot be merged as given; the message is one line for the instructor."""


@dataclass
class ShardOutput:
    """One shard's output folder and its record (shard.py)."""

    path: Path
    record: dict[str, Any]

    @property
    def shard(self) -> Shard:
        return Shard(self.record["shard"], self.record["shards"])

    @property
    def fingerprint(self) -> Fingerprint:
        return Fingerprint(self.record["grader_fingerprint"]["parts"])

    def __str__(self) -> str:
        return f"{self.path} (shard {self.shard})"


def read_shard(path: Path) -> ShardOutput:
    """The shard output folder ``path``. Raises MergeError when its record is missing or malformed."""
    try:
        record = json.loads((Path(path) / RECORD_FILE).read_text(encoding="utf-8"))
        output = ShardOutput(Path(path), record)
        if not (isinstance(record["shard"], int) and isinstance(record["shards"], int)
                and 1 <= record["shard"] <= record["shards"]):
            raise ValueError(f"shard {record['shard']!r} of {record['shards']!r}")
        if not (isinstance(record["found"], dict) and isinstance(record["graded"], list)
                and isinstance(record["checks"], list) and isinstance(record["graded_code"], dict)
                and isinstance(record["grader_fingerprint"]["parts"], dict)):
            raise TypeError("found, graded, checks, graded_code or grader_fingerprint")
    except OSError as error:
        raise MergeError(f"{path}: no shard record {RECORD_FILE} ({error.strerror or error}); merge the --out "
                         "folders of `grade --shard I/N`") from None
    except (ValueError, KeyError, TypeError) as error:
        raise MergeError(f"{path / RECORD_FILE}: not a shard record ({type(error).__name__}: {error})") from None
    return output


def check(shards: list[ShardOutput], out: Path) -> None:
    """Refuse what cannot be merged (see the module docstring). Raises MergeError."""
    inputs = {s.path.resolve(): s for s in shards}
    if Path(out).resolve() in inputs:
        raise MergeError(f"--out {out} is one of the shards: merge into another folder")
    first = shards[0]
    for other in shards[1:]:
        if other.shard.count != first.shard.count:
            raise MergeError(f"shards of different counts: {first} and {other}")
        changed = other.fingerprint.changed(first.fingerprint.parts)
        if changed:
            raise MergeError(f"{other} was graded by another grader than {first} ({', '.join(changed)} differ): "
                             "grade every shard with the same kit, secret and options")
    by_index: dict[int, ShardOutput] = {}
    for output in shards:
        if output.shard.index in by_index:
            raise MergeError(f"shard {output.shard} given twice: {by_index[output.shard.index].path} and {output.path}")
        by_index[output.shard.index] = output
    count = first.shard.count
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in by_index]
    if missing:
        raise MergeError(f"missing {'shard' if len(missing) == 1 else 'shards'} {', '.join(missing)}: "
                         f"merge all {count} shards' folders")
    graders: dict[str, list[ShardOutput]] = defaultdict(list)
    for output in shards:
        for name in output.record["graded"]:
            graders[name].append(output)
    twice = sorted(name for name, outputs in graders.items() if len(outputs) > 1)
    if twice:
        raise MergeError("graded by more than one shard: " + "; ".join(
            f"{printable(name)} ({', '.join(str(o.path) for o in graders[name])})" for name in twice))
    found = {name: index for output in shards for name, index in output.record["found"].items()}
    ungraded = sorted(set(found) - set(graders))
    if ungraded:
        raise MergeError(f"{counted(len(ungraded), 'submission')} found but graded by no shard (interrupted, "
                         f"or not recorded; grade its shard again): "
                         + ", ".join(f"{printable(name)} (shard {found[name]}/{count})" for name in ungraded))


def report_of(data: dict[str, Any], checks: list[dict[str, Any]]) -> Report:
    """The report a shard's results file ``data`` holds, its checks as ``checks`` (the shard record's)
    list them: the same report grade had when it wrote the file. Raises KeyError/ValueError/TypeError."""
    extra = data["extra_data"][EXTRA_KEY]
    tests = data["tests"]
    if [t["name"] for t in tests] != [c["name"] for c in checks]:
        raise ValueError("its checks are not the shard record's")
    results = []
    for test, row in zip(tests, checks, strict=True):
        output, title = str(test["output"]), row["title"]
        if title != row["name"] and output.startswith(title + "\n"):  # formats.titled_output put it first
            output = output[len(title) + 1:]
        results.append(CheckResult(row["name"], row["function"], row["points"],
                                   float(test["score"]) >= float(row["points"]), output, row["hidden"], title))
    return Report(str(extra["submission"]), results, status=str(extra["status"]), error=str(extra.get("error", "")),
                  wrong_outputs=recorded_digests(extra))


def reports_of(output: ShardOutput) -> dict[str, Report]:
    """name -> report of every submission the shard graded, from its results files. Raises MergeError."""
    reports = {}
    for name in output.record["graded"]:
        path = output.path / "results" / f"{file_stem(name)}.json"
        try:
            report = report_of(json.loads(path.read_text(encoding="utf-8")), output.record["checks"])
        except OSError as error:
            raise MergeError(f"{path}: cannot be read ({error.strerror or error}); grade shard "
                             f"{output.shard} again") from None
        except (ValueError, KeyError, TypeError) as error:
            raise MergeError(f"{path}: not a results file of this shard ({error}); grade shard "
                             f"{output.shard} again") from None
        if report.submission != name:
            raise MergeError(f"{path}: holds {printable(report.submission)}, not {printable(name)}")
        reports[name] = report
    return reports


def merge(shards: list[ShardOutput], out: Path) -> dict[str, Report]:
    """Check the shards, then copy each submission's files into ``out`` and write grades.csv; returns the
    reports by name. Raises MergeError (nothing written) or OSError."""
    check(shards, out)
    reports = {name: report for output in shards for name, report in reports_of(output).items()}
    (Path(out) / RECORD_FILE).unlink(missing_ok=True)  # OUT was a shard's folder once: it is one no more
    for output in shards:
        for name in output.record["graded"]:
            for folder, suffix in COPIED:
                source = output.path / folder / f"{file_stem(name)}{suffix}"
                if source.is_file():
                    write_atomic(Path(out) / folder / source.name, source.read_bytes())
    table = OutputFolder(out, [])
    table.keep(*(reports[name] for name in sorted(reports)))
    if table.table_error:
        raise OSError(f"{table.csv_path}: {table.table_error}")
    return dict(sorted(reports.items()))


def main(paths: list[Path], out: Path, html: bool = True, roster: Path | None = None, export: str | None = None,
         match_column: str | None = None) -> int:
    """Merge, print grade's summary; 0, 1 (a submission to grade again), 2 (refused)."""
    if gradebook.options_error(roster, export):
        print(f"error: {gradebook.options_error(roster, export)}", file=sys.stderr)
        return 2
    try:
        shards = [read_shard(path) for path in paths]
        reports = merge(shards, out)
    except MergeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {out}: cannot be written ({error.strerror or error})", file=sys.stderr)
        return 2
    codes = {name: code for output in shards for name, code in output.record["graded_code"].items()}
    with i18n.speaking(shards[0].record.get("language")):  # the shards' language: report.html's words
        leads = integrity.build(out, codes, reports.values())
        if html:
            _write_report(out, reports, leads)
    print("\n".join([*class_summary(reports), *status_lines(reports),
                     f"merged {counted(len(shards), 'shard')} ({shards[0].shard.count} in all) into "
                     f"{Path(out) / 'grades.csv'}, {Path(out) / 'results'}/ and {Path(out) / 'feedback'}/"]))
    print(integrity.summary_line(leads))
    if roster is not None and export is not None and gradebook.main(roster, export, out, reports, match_column):
        return 2
    return 1 if any(Status(r.status).graded_again for r in reports.values()) else 0


def _write_report(out: Path, reports: dict[str, Report], leads: integrity.Outcome) -> None:
    """report.html, as grade writes it; the students' pages are the shards' (copied)."""
    from grader.commands.grade.pages import HtmlStep

    pages = HtmlStep(out)
    try:
        path = pages.finish(reports, [integrity.section(leads, pages.link)], progress=False)
    except ReferenceUnavailable as error:
        pages.close()
        print(f"note: report.html not written: {error}", file=sys.stderr)
        return
    print(f"wrote {path}", file=sys.stderr)
