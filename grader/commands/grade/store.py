"""The output folder of ``backprop-lab grade``, written as each submission finishes.

    DIR/results/<file>.json   Gradescope results.json, plus extra_data.backprop_lab
                              (submission name, status, error, source and grader fingerprints,
                              digests of unexplained wrong outputs): what a re-run reads
                              (regrade.py; integrity.py reads the digests)
    DIR/feedback/<file>.md    the student's feedback
    DIR/grades.csv            every submission of the run, rewritten at most once a second while
                              grading (each rewrite costs O(class size)) and at the end

``<file>`` is the submission's name when it is short plain ASCII, else a safe stem plus a
hash of the name (``file_stem``): a name may be 255 bytes long, not UTF-8, or hold any
character, and ``.partial`` or ``.json`` added to it must still be a valid file name. The
name itself is in the CSV's submission column and in ``extra_data``.

Every file is replaced atomically (written beside, then ``os.replace``), so an
interrupted run leaves whole files only; a results file is written last, so a
submission whose results file is present and valid was completely graded.

One submission never stops the run: when its files cannot be written (disk full, file
too large, anything else) ``record`` returns a report with status not-recorded, which the
CSV shows and a re-run grades again. A table that cannot be written is retried after the
next submission, and ``table_error`` says why it is missing.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.checks import Check
from grader.commands.grade.fingerprint import Fingerprint
from grader.commands.grade.worker import Outcome, not_graded
from grader.formats import csv_table, gradescope, markdown
from grader.formats.gradescope import EXTRA_KEY
from grader.results import Report
from grader.status import Status
from grader.text import printable

PLAIN_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,79}")  # kept as it is; never holds "~"
HASHED_PREFIX_CHARS = 40
MAX_FILE_CHARS = 8 << 20  # one results or feedback file; capped messages keep them far below


def file_stem(name: str) -> str:
    """The stem of a submission's results and feedback files: ``name`` itself when it is plain
    ASCII of at most 80 characters, else its plain characters, "~" and 12 hex digits of its
    hash. Plain names never contain "~", so the two kinds cannot collide."""
    if PLAIN_NAME.fullmatch(name):
        return name
    raw = name.encode("utf-8", "surrogateescape" if _escapes_only(name) else "surrogatepass")
    prefix = re.sub(r"[^A-Za-z0-9_-]+", "_", name)[:HASHED_PREFIX_CHARS].strip("_") or "submission"
    return f"{prefix}~{hashlib.sha256(raw).hexdigest()[:12]}"


def _escapes_only(name: str) -> bool:
    try:
        name.encode("utf-8", "surrogateescape")
        return True
    except UnicodeEncodeError:
        return False


class NotRecorded(Exception):
    """A submission's files could not be written; the message says why, in one line."""


TABLE_EVERY = 1.0  # seconds between rewrites of grades.csv while grading


class OutputFolder:
    """DIR of one grading run. ``reports`` holds every submission of the run graded so far."""

    def __init__(self, root: Path, checks: list[Check], grader: Fingerprint | None = None):
        self.root = Path(root)
        self.checks = checks
        self.grader = grader  # recorded in each results file: a re-run under another grader grades again
        self.reports: dict[str, Report] = {}
        self.table_error = ""  # why grades.csv could not be written last time ("" when it was)
        self.table_written = float("-inf")  # time.monotonic() of the last write
        self.table_stale = False  # reports counted since then
        # name -> (report, its CSV line): a rewrite of the table renders only the reports counted since the last
        # one (rendering every line at each rewrite made the table's writes cost O(class size ** 2) in all)
        self._lines: dict[str, tuple[Report, str]] = {}

    @property
    def csv_path(self) -> Path:
        return self.root / "grades.csv"

    def results_path(self, name: str) -> Path:
        return self.root / "results" / f"{file_stem(name)}.json"

    def feedback_path(self, name: str) -> Path:
        return self.root / "feedback" / f"{file_stem(name)}.md"

    def report_from_results(self, data: Any, name: str, fingerprint: str) -> Report | None:
        """The report in an earlier run's results file ``data``, if it graded this very file with the
        same checks (whether the grader was the same is ``regrade.py``'s to decide)."""
        try:
            return self._report_from_results(data, name, fingerprint)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def keep(self, *reports: Report) -> None:
        """Count reports in this run's table (earlier runs', or one just recorded). The table is rewritten
        when TABLE_EVERY seconds have passed since the last write (the results files are the record: a run
        stopped in between rebuilds the table from them); ``finish_table`` writes the rest."""
        for report in reports:
            self.reports[report.submission] = report
        self.table_stale = True
        if time.monotonic() - self.table_written >= TABLE_EVERY:
            self.write_table()

    def finish_table(self) -> None:
        """Write grades.csv if it lacks a report or its last write failed (one more try)."""
        if self.table_stale or self.table_error:
            self.write_table()

    def write_table(self) -> bool:
        """Write grades.csv; on failure remember why in ``table_error`` (a later call retries)."""
        try:
            write_atomic(self.csv_path, self._table())
        except Exception as error:  # disk full, ...: the next submission's row retries
            self.table_error = _reason(error)
            return False
        self.table_error = ""
        self.table_written, self.table_stale = time.monotonic(), False
        return True

    def _table(self) -> str:
        """``csv_table.render(self.reports.values())``, each report's line rendered once."""
        lines = []
        for report in sorted(self.reports.values(), key=lambda r: r.submission):
            kept = self._lines.get(report.submission)
            if kept is None or kept[0] is not report:  # reports are never changed once made: a new one, a new line
                kept = self._lines[report.submission] = (report, csv_table.line(report))
            lines.append(kept[1])
        return csv_table.header() + "".join(lines)

    def record(self, outcome: Outcome, fingerprint: str) -> Report:
        """Write the feedback, then the results file, then the table, for a submission just graded.

        Returns the report as it stands in the table: ``outcome.report``, or a not-recorded
        report (0 points, the reason in ``error``) when its files could not be written.
        """
        report = outcome.report
        try:
            self._write_files(outcome, fingerprint)
        except Exception as error:  # whatever it is, it costs this submission only
            self._remove_partials(report.submission)
            reason = f"its results could not be written ({_reason(error)}); re-run to grade it again"
            report = not_graded(report.submission, self.checks, Status.NOT_RECORDED, reason)
        self.keep(report)
        return report

    def _write_files(self, outcome: Outcome, fingerprint: str) -> None:
        report = outcome.report
        shown = replace(report, submission=printable(report.submission))  # the Markdown is UTF-8 text
        feedback = markdown.render(shown, outcome.events, outcome.output)
        results = gradescope.to_dict(report)
        results["extra_data"] = {EXTRA_KEY: {
            "submission": report.submission,  # JSON escapes keep even a name that is not UTF-8 exact
            "status": report.status,
            "error": report.error,
            "source_sha256": fingerprint,
            "grader_fingerprint": self.grader.to_json() if self.grader else None,
            "seconds": round(outcome.seconds, 3),
            "events": outcome.events,
            "sandbox_note": outcome.sandbox_note,
            "grader_traceback": outcome.traceback,
            "wrong_outputs": report.wrong_outputs,  # digests only (integrity.csv); absent in older files
        }}
        results_text = json.dumps(results, indent=2) + "\n"
        for text in (feedback, results_text):
            if len(text) > MAX_FILE_CHARS:
                raise NotRecorded(f"{len(text) / 2**20:.0f} MB of results, more than the "
                                  f"{MAX_FILE_CHARS >> 20} MB a file may hold")
        write_atomic(self.feedback_path(report.submission), feedback)
        write_atomic(self.results_path(report.submission), results_text)

    def _remove_partials(self, name: str) -> None:
        for path in (self.feedback_path(name), self.results_path(name)):
            with contextlib.suppress(OSError):
                path.with_name(path.name + ".partial").unlink(missing_ok=True)

    def _report_from_results(self, data: dict[str, Any], name: str, fingerprint: str) -> Report | None:
        extra = data["extra_data"][EXTRA_KEY]
        tests = data["tests"]
        if extra["submission"] != name or extra["source_sha256"] != fingerprint or Status(extra["status"]).graded_again:
            return None
        if len(tests) != len(self.checks):
            return None
        results = []
        for check, test in zip(self.checks, tests, strict=True):
            if test["name"] != check.name or float(test["max_score"]) != check.points:
                return None  # graded with other checks (e.g. --public-only, or an older catalogue)
            passed = float(test["score"]) >= check.points
            results.append(check.result(passed, str(test["output"])))
        return Report(name, results, status=str(extra["status"]), error=str(extra.get("error", "")),
                      wrong_outputs=recorded_digests(extra))


def recorded_digests(extra: dict[str, Any]) -> dict[str, str]:
    """The wrong-output digests of a results file's ``extra_data.backprop_lab``: {} when it has none
    (written before they were kept) or they are not probe key -> digest text."""
    recorded = extra.get("wrong_outputs")
    if not isinstance(recorded, dict):
        return {}
    return {key: value for key, value in recorded.items() if isinstance(key, str) and isinstance(value, str)}


def _reason(error: BaseException) -> str:
    """One line: "No space left on device", "UnicodeEncodeError: ...", or the NotRecorded message."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    if isinstance(error, NotRecorded):
        return str(error)
    return printable(f"{type(error).__name__}: {error}")[:300]


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` beside ``path``, then move it there: every file of DIR is whole or absent. Text is
    UTF-8; a lone surrogate in a student's message is written as a backslash escape instead of failing
    the whole file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        if isinstance(data, bytes):
            partial.write_bytes(data)
        else:
            partial.write_text(data, encoding="utf-8", errors="backslashreplace")
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):  # a full disk may refuse even this; the run goes on
            partial.unlink(missing_ok=True)
        raise
