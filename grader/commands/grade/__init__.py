"""``backprop-lab grade PATH... --out DIR``: grade a whole class, isolated and in parallel.

    collect.py  find the submissions in files, folders and zips
    worker.py   grade one submission after another in a warm worker process
    pool.py     the worker processes, and what happens when one fails
    store.py    DIR: results/<name>.json, feedback/<name>.md, grades.csv
    fingerprint.py  a hash of everything in the grader that can change a score or a message
    regrade.py  what a re-run grades again (and why), and DIR/regrade-diff.csv of what changed
    summary.py  the class summary printed at the end
    network.py  the student's trained network kept from the grading run, for the pictures
    pages.py    report.html and feedback/<name>.html, pictures drawn while grading goes on
    shard.py    --shard I/N: which submissions a shard grades, and DIR/shard.json
    merge.py    ``backprop-lab merge``: shards' output folders into one
    integrity.py  DIR/integrity.csv: leads (similar code, shared unusual wrong outputs) for the instructor
    similarity.py the similar-code leads computed beside the grading, in a process of its own

``run`` does the work and returns plain data (``GradeRun``); ``main`` adds the
progress bar and the printed summary.

Statuses: the CSV's status column and ``extra_data.backprop_lab.status`` use the one vocabulary
of ``grader/status.py`` (ok, error, refused, timeout, deadline, crashed, bad-reply,
grader-error, not-recorded), which also words each of them for students and instructors.

Exit codes: 0 every submission has its row; 1 some submissions were not graded or not
recorded (status grader-error or not-recorded, or grades.csv itself could not be
written: run again); 2 nothing could be graded (missing path, no submissions, clashing
names, no reference solution, workers that cannot start, no filesystem sandbox without
--unsafe-sandbox); 130 interrupted (everything graded so far is kept).
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.bridge import sandbox
from grader.bridge.zygote import preloadable_imports
from grader.checks import hidden_available
from grader.commands.grade import fingerprint, gradebook, integrity, regrade, shard, store, summary
from grader.commands.grade.collect import CollectError, Submission, collect
from grader.commands.grade.pool import WorkerPool, WorkerStartError
from grader.commands.grade.similarity import Beside
from grader.commands.grade.store import OutputFolder
from grader.commands.grade.worker import Outcome, Settings, not_graded
from grader.contract import REFERENCE_FILE
from grader.files import refusal
from grader.i18n import _, current, speaking
from grader.reference import ReferenceUnavailable, grading_draw
from grader.results import Report
from grader.status import Status
from grader.text import counted, printable

DEFAULT_CALL_TIMEOUT = 10.0  # seconds per call into a submission (the 100-epoch training run is one call)
DEADLINE_MARGIN = 60.0  # seconds on top of one timeout per probe before a whole submission is stopped


@dataclass
class GradeRun:
    """What a run did. Names are submission names.

    reports       every submission of the run that has a row, graded now or earlier
    graded        graded by this run, in the order they finished
    skipped       already graded in DIR by an earlier run (same file, same grader, same checks)
    remaining     not graded because the run was interrupted
    refused       not graded because they are not regular files (links, ...), with the reason
    not_recorded  graded, but their results could not be written, with the reason
    table_error   why grades.csv could not be written at the end ("" when it was)
    plan          what was kept and why the others were graded (regrade.py)
    changes       how the points of the submissions graded again changed (regrade-diff.csv's rows)
    diff_written  whether DIR/regrade-diff.csv was written by this run; diff_error: why not, if it failed
    """

    out: Path
    reports: dict[str, Report] = field(default_factory=dict)
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    remaining: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    not_recorded: dict[str, str] = field(default_factory=dict)
    table_error: str = ""
    notes: list[str] = field(default_factory=list)  # things the collector skipped
    sandbox_notes: list[str] = field(default_factory=list)  # how submissions were sandboxed, or why not
    jobs: int = 0
    interrupted: bool = False
    graded_code: dict[str, str] = field(default_factory=dict)  # name -> graded code, for integrity.csv
    similar_code_beside: bool = False  # its similar-code leads are computed beside the grading (similarity.py)
    similar_code: list[integrity.Lead] | None = None  # ... and these they are (None: integrity.build computes them)
    plan: regrade.Plan = field(default_factory=regrade.Plan)
    changes: list[regrade.Change] = field(default_factory=list)
    diff_written: bool = False
    diff_error: str = ""
    shard: shard.Shard | None = None  # --shard: the shard graded (None: every submission)
    shard_error: str = ""  # why DIR/shard.json could not be written ("" when it was)


def _language_fixed(function: Callable) -> Callable:
    """``function`` run in the language in use when it is called, looked up once: otherwise every
    message (thousands in a run) looks it up again, reading the kit's default-language file each time."""
    @functools.wraps(function)
    def fixed(*args: Any, **kwargs: Any) -> Any:
        with speaking(current()):
            return function(*args, **kwargs)
    return fixed


@_language_fixed
def run(paths: list[Path], out: Path, settings: Settings | None = None, jobs: int | None = None,
        force: bool = False, on_plan: Callable[[GradeRun], None] | None = None,
        on_graded: Callable[[Outcome], None] | None = None, part: shard.Shard | None = None) -> GradeRun:
    """Grade every submission under ``paths`` into ``out`` (``part``: only that shard's, and write
    DIR/shard.json); returns what was done.

    Raises CollectError, ReferenceUnavailable or SandboxRefused before anything runs,
    WorkerStartError when no worker can start. Ctrl-C (and
    SIGTERM under ``main``) stops the run cleanly: ``interrupted`` is set (a second one, while the
    similar code is still being compared, raises KeyboardInterrupt once everything graded is written).
    """
    settings = settings or Settings()
    _require_reference(settings)
    if settings.draw is None:
        settings = replace(settings, draw=grading_draw())
    settings = _with_sandbox(settings)
    checks = settings.checks()
    grader = fingerprint.of_run(settings.draw, settings.public_only, settings.call_timeout, settings.sandbox)
    folder = OutputFolder(out, checks, grader)
    with Beside() as beside, tempfile.TemporaryDirectory(prefix="backprop-lab-grade-") as scratch:
        collection = collect(paths, Path(scratch))
        result = GradeRun(out=Path(out), notes=collection.notes, shard=part)
        found = [s.name for s in collection.submissions]
        mine = [s for s in collection.submissions if part is None or part.holds(s.name)]
        submissions, fingerprints = _fingerprinted(mine)
        result.graded_code = integrity.graded_codes(submissions)  # read now: a zip's scratch copy goes away
        for refused in (s for s in submissions if s.refusal):  # no worker: nothing of it is read
            report = folder.record(Outcome(not_graded(refused.name, checks, Status.REFUSED, refused.refusal)), "")
            _note_recorded(report, result)
            if report.status == Status.REFUSED:
                result.refused[refused.name] = refused.refusal
        result.plan = regrade.plan([s for s in submissions if not s.refusal], fingerprints, grader, folder, force)
        todo = result.plan.todo
        if result.plan.kept:
            folder.keep(*result.plan.kept.values())
        result.skipped = list(result.plan.kept)
        result.remaining = [s.name for s in todo]
        result.jobs = min(jobs or os.cpu_count() or 1, len(todo))
        if todo:  # a re-run that grades nothing reads integrity.csv back: nothing to compare
            result.similar_code_beside = beside.start(result.graded_code)
        if on_plan:
            on_plan(result)

        def finished(submission: Submission, outcome: Outcome) -> None:
            with _signals_deferred():  # a Ctrl-C lands after the results, the feedback and the row
                _note_recorded(folder.record(outcome, fingerprints[submission.name]), result)
            result.graded.append(submission.name)
            result.remaining.remove(submission.name)
            if outcome.sandbox_note and outcome.sandbox_note not in result.sandbox_notes:
                result.sandbox_notes.append(outcome.sandbox_note)
            if on_graded:
                on_graded(outcome)

        deadline = settings.call_timeout * (len({c.probe.key for c in checks}) + 5) + DEADLINE_MARGIN
        try:
            if todo:
                settings = replace(settings, preload=_preloadable(todo, result.graded_code))
                with WorkerPool(result.jobs, settings, deadline) as pool:
                    pool.grade(todo, finished)
        except KeyboardInterrupt:
            result.interrupted = True
        _finish(result, folder, part, grader, settings, checks, found)
        result.similar_code = beside.leads()  # last: a Ctrl-C while it waits leaves every result written
    return result


def _finish(result: GradeRun, folder: OutputFolder, part: shard.Shard | None, grader: fingerprint.Fingerprint,
            settings: Settings, checks: list, found: list[str]) -> None:
    """grades.csv, regrade-diff.csv and (``part``) DIR/shard.json, once grading has ended."""
    folder.finish_table()
    result.table_error = folder.table_error
    result.reports = dict(sorted(folder.reports.items()))  # by name: the summary and report.html as a merge's
    _write_diff(result)
    if part is not None:
        _write_shard_record(result, part, grader, settings, checks, found)
    else:  # an earlier shard's record would describe files this run replaced: merge must not read it
        with contextlib.suppress(OSError):
            (result.out / shard.RECORD_FILE).unlink(missing_ok=True)


def _preloadable(todo: list[Submission], codes: dict[str, str]) -> tuple[str, ...]:
    """The slow-to-import modules (zygote.PRELOADABLE) that the submissions to grade import."""
    return tuple(sorted(set().union(*(preloadable_imports(codes.get(s.name, "")) for s in todo))))


def _write_shard_record(result: GradeRun, part: shard.Shard, grader: fingerprint.Fingerprint, settings: Settings,
                        checks: list, found: list[str]) -> None:
    """DIR/shard.json: what ``merge`` needs to know of this shard (shard.py)."""
    recorded = [name for name, report in result.reports.items() if report.status != Status.NOT_RECORDED]
    data = shard.record(part, grader.to_json(), current(), settings.public_only, checks, found, recorded,
                        result.graded_code)
    try:
        shard.write(result.out, data)
    except OSError as error:
        result.shard_error = error.strerror or str(error)


def _write_diff(result: GradeRun) -> None:
    """DIR/regrade-diff.csv, when this run graded again a submission that had results before."""
    if not set(result.graded) & set(result.plan.earlier):
        return
    result.changes = regrade.compare(result.plan, result.graded, result.reports)
    try:
        store.write_atomic(result.out / regrade.DIFF_FILE, regrade.render(result.changes))
        result.diff_written = True
    except OSError as error:
        result.diff_error = error.strerror or str(error)


def _fingerprinted(submissions: list[Submission]) -> tuple[list[Submission], dict[str, str]]:
    """The submissions, each file read once (never through a link) for its fingerprint; one that
    cannot be read is refused with the reason, instead of stopping the run."""
    checked, fingerprints = [], {}
    for submission in submissions:
        if not submission.refusal:
            try:
                fingerprints[submission.name] = submission.sha256()
            except OSError as error:  # swapped for a link since it was collected, unreadable, ...
                reason = refusal(submission.path) or f"{printable(submission.path.name)} cannot be read " \
                                                      f"({error.strerror or error})"
                submission = replace(submission, refusal=reason)
        checked.append(submission)
    return checked, fingerprints


def _note_recorded(report: Report, result: GradeRun) -> None:
    """Say at once when a submission's results could not be written: the run goes on."""
    if report.status == Status.NOT_RECORDED:
        result.not_recorded[report.submission] = report.error
        print(f"not recorded: {printable(report.submission)}: {report.error}", file=sys.stderr)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends (they are delivered then)."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class SandboxRefused(RuntimeError):
    """The filesystem cannot be restricted here, and --unsafe-sandbox was not given."""


def _with_sandbox(settings: Settings) -> Settings:
    """``settings`` with the bridge's sandbox mode: "auto", or "none" where nothing can restrict the
    filesystem and the instructor allowed that. Raises SandboxRefused otherwise."""
    missing = sandbox.filesystem_guard_missing()
    if missing is None:
        return dataclasses.replace(settings, sandbox="auto")
    if not settings.unsafe_sandbox:
        raise SandboxRefused(f"submissions cannot be sandboxed here ({missing}): they could read the reference "
                             "and write outside their scratch folder. Grade on a recent Linux, or pass "
                             "--unsafe-sandbox to grade anyway (in a throw-away account or VM)")
    return dataclasses.replace(settings, sandbox="none")


def _require_reference(settings: Settings) -> None:
    if not REFERENCE_FILE.is_file():
        raise ReferenceUnavailable(f"grading needs the reference solution, and {REFERENCE_FILE} is not here")
    if not settings.public_only and not hidden_available():
        raise ReferenceUnavailable("the hidden checks are not in this copy of the kit; grade with --public-only")


@_language_fixed
def main(paths: list[Path], out: Path, jobs: int | None = None, timeout: float = DEFAULT_CALL_TIMEOUT,
         public_only: bool = False, force: bool = False, unsafe_sandbox: bool = False,
         roster: Path | None = None, export: str | None = None, match_column: str | None = None,
         html: bool = True, shard_value: str | None = None) -> int:
    from tqdm import tqdm

    from grader.commands.grade.pages import HtmlStep

    bars: list[tqdm] = []
    pages = HtmlStep(out) if html else None

    def planned(plan: GradeRun) -> None:
        if plan.remaining:  # pictures will be drawn while grading goes on (a re-run of nothing draws none then)
            # copydetect imported before any picture is drawn, unless the process beside imports it instead (a
            # class of one compares no code)
            if len(plan.graded_code) > 1 and not plan.similar_code_beside:
                integrity.preload()
            if pages:
                pages.start()
        for note in plan.notes:
            print(f"note: {printable(note)}", file=sys.stderr)
        for name, reason in plan.refused.items():
            print(f"refused: {printable(name)}: {reason}", file=sys.stderr)
        print(_plan_line(plan, timeout, public_only), file=sys.stderr)
        bars.append(tqdm(total=len(plan.remaining), desc="grading", unit="submission", file=sys.stderr))

    def graded(outcome: Outcome) -> None:
        bars[0].set_postfix_str(printable(outcome.report.submission)[:60], refresh=False)
        bars[0].update(1)
        if pages:
            pages.add(outcome)
        if outcome.traceback:  # a bug of ours: the instructor sees where (the student sees a plain note)
            bars[0].write(f"grader error on {printable(outcome.report.submission)}: {outcome.report.error}\n"
                          f"{outcome.traceback.rstrip()}", file=sys.stderr)

    if (jobs is not None and jobs < 1) or timeout <= 0:
        print(_("error: --jobs and --timeout must be positive"), file=sys.stderr)
        return 2
    if gradebook.options_error(roster, export):
        print(f"error: {gradebook.options_error(roster, export)}", file=sys.stderr)
        return 2
    try:
        part = None if shard_value is None else shard.parse(shard_value)
    except shard.ShardError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    settings = Settings(public_only=public_only, call_timeout=timeout, unsafe_sandbox=unsafe_sandbox)
    previous_handler = signal.signal(signal.SIGTERM, _interrupt)
    try:
        result = run(paths, out, settings, jobs, force, on_plan=planned, on_graded=graded, part=part)
    except (CollectError, ReferenceUnavailable, SandboxRefused, WorkerStartError) as error:
        print(_("error: {error}", error=error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # before grading started: nothing was written
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
        for bar in bars:
            bar.close()
        if pages and sys.exc_info()[0] is not None:  # leaving on an error: no pages, and no plotter left
            pages.close()
    leads = integrity.build(out, result.graded_code, result.reports.values(), result.similar_code)
    if pages:
        _write_pages(pages, result, [integrity.section(leads, pages.link)])
    print(_closing_text(result))
    print(integrity.summary_line(leads))
    if roster is not None and export is not None and gradebook.main(roster, export, out, result.reports, match_column):
        return 2
    if result.interrupted:
        return 130
    failed = any(Status(r.status).graded_again for r in result.reports.values())
    return 1 if failed or result.table_error or result.shard_error else 0


def _write_pages(pages: Any, result: GradeRun, sections: list[Any]) -> None:
    """report.html (with ``sections``) and the students' HTML pages, unless the run was interrupted (a
    re-run writes them)."""
    if result.interrupted:
        pages.close()
        return
    path = pages.finish(result.reports, sections)
    print(f"wrote {path} and the students' pages in {result.out / 'feedback'}/", file=sys.stderr)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM stops a run the same way Ctrl-C does


def _plan_line(plan: GradeRun, timeout: float, public_only: bool) -> str:
    checks = "public checks" if public_only else "public + hidden checks"
    line = (f"grading {counted(len(plan.remaining), 'submission')} with {plan.jobs} worker(s), "
            f"{checks}, {timeout:g} s per call")
    if plan.shard is not None:
        line = f"shard {plan.shard}: {line}"
    if plan.skipped:
        kept = ("is kept (--regrade grades it again)" if len(plan.skipped) == 1
                else "are kept (--regrade grades them again)")
        line += f"; {len(plan.skipped)} already graded in {plan.out} {kept}"
    return line


def _regrade_lines(result: GradeRun) -> list[str]:
    """What was kept and why the rest was graded; what the re-grade changed, when it changed anything."""
    lines = [regrade.describe(result.plan, result.graded)]
    if result.diff_written:
        lines.append(f"{regrade.summarise(result.changes)} (see {result.out / regrade.DIFF_FILE})")
    elif result.diff_error:
        lines.append(f"{regrade.DIFF_FILE} could not be written ({result.diff_error})")
    return lines


def class_summary(reports: dict[str, Report]) -> list[str]:
    """The summary table, as grade and merge print it, after a blank line."""
    return ["", summary.render(summary.summarise(reports.values())), ""]


def status_lines(reports: dict[str, Report]) -> list[str]:
    """The submissions the grader failed on and the refused ones, by name (grade and merge print them)."""
    lines = []
    for status, words in ((Status.GRADER_ERROR, "not graded because the grader failed (run again)"),
                          (Status.REFUSED, "refused (0 points; not regular files, never read)")):
        names = [name for name, r in reports.items() if r.status == status]
        if names:
            lines.append(f"{words}: " + ", ".join(printable(name) for name in sorted(names)))
    return lines


def _closing_text(result: GradeRun) -> str:
    lines = class_summary(result.reports)
    for note in result.sandbox_notes:
        lines.append(f"sandbox: {note}")
    lines.extend(status_lines(result.reports))
    if result.not_recorded:
        lines.append("graded but not recorded (run again): "
                     + ", ".join(printable(name) for name in sorted(result.not_recorded)))
    if result.table_error:
        lines.append(f"grades.csv could not be written ({result.table_error}); run the same command again")
    lines.extend(_regrade_lines(result))
    if result.interrupted:
        lines.append(f"interrupted: {len(result.graded)} graded now, {len(result.remaining)} not graded; "
                     "run the same command again to grade the rest.")
    if result.shard_error:
        lines.append(f"{result.out / shard.RECORD_FILE} could not be written ({result.shard_error}); merge needs "
                     "it: run the same command again")
    lines.append(f"wrote {result.out / 'grades.csv'}, {result.out / 'results'}/ and {result.out / 'feedback'}/"
                 + (f" and {result.out / shard.RECORD_FILE} (shard {result.shard})" if result.shard else ""))
    return "\n".join(lines)
