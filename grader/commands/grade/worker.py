"""Grade one submission after another in a warm worker process.

A worker imports NumPy, the checks and the reference once (``LiveReference``
memoises the expected values, which are the same for every submission), then
for each submission opens an ``IsolatedBridge``, runs the checks, and judges the
answers *here*, in the worker, never in the student's process. The submission runs
in a sandboxed process that the bridge forks from its own zygote (a fresh
interpreter started once per worker), so it never inherits the reference loaded here.

Worker and main process talk JSON over a pipe (``serve``): nothing a process
near student code sends is ever unpickled.
"""
from __future__ import annotations

import json
import signal
import time
import traceback
from dataclasses import asdict, dataclass, field, fields, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from grader import i18n
from grader.bridge import Bridge, StudentCodeError, SubmissionLoadError, SubmissionRefused, clip
from grader.bridge.isolated import IsolatedBridge, child_settings, discard_prepared, prepare
from grader.bridge.zygote import start_helper_process, stop_helper_process
from grader.checks import Check, Draw, catalogue
from grader.commands.grade.network import ClaimKeeper, no_training_run, pictured_case
from grader.commands.grade.wrong_outputs import WrongOutputs
from grader.reference import LiveReference, grading_draw
from grader.results import CheckResult, Report
from grader.runner import GraderError, run_checks
from grader.status import Status

# How a StudentCodeError's kind shows in a report's status (grader/status.py); the other kinds
# (not implemented, an exception, a missing function) are the code failing, not its process,
# and keep Status.OK.
STATUS_BY_KIND = {"timeout": Status.TIMEOUT, "crashed": Status.CRASHED, "output": Status.BAD_REPLY}

MAX_CHECK_OUTPUT = 2_000  # characters of one check's message kept: a student's value can be huge
MAX_ERROR = 4_000  # characters of a report's error kept
MAX_EVENTS = 50  # distinct events kept; each is cut to MAX_CHECK_OUTPUT
MAX_OUTPUT = 70_000  # characters of printed output kept: the bridge keeps 64,000 bytes already (a guard)


@dataclass(frozen=True)
class Settings:
    """What every worker of one run needs to know."""

    public_only: bool = False
    call_timeout: float = 10.0
    draw: Draw | None = None  # None: the course's grading draw (``grade.run`` reads it once for all workers)
    unsafe_sandbox: bool = False  # --unsafe-sandbox: grade even where the filesystem cannot be restricted
    sandbox: str = "auto"  # the IsolatedBridge mode; "none" only when run() found no guard and it was allowed
    preload: tuple[str, ...] = ()  # modules the submissions import that the zygote imports once (zygote.PRELOADABLE)

    def checks(self) -> list[Check]:
        return catalogue(include_hidden=not self.public_only, draw=self.draw or grading_draw())


@dataclass
class Outcome:
    """A graded submission: the report, and what happened to the process that ran it.

    events        what the bridge saw, in plain words ("the call to model timed out after 10 s")
    output        the submission's captured stdout/stderr (already truncated by the bridge)
    sandbox_note  what the platform could not enforce (empty when everything was)
    traceback     where the grader's own code failed (status grader-error), for the instructor only
    picture       the student's trained network for feedback/<name>.html (grade/network.py; {} when not graded)
    """

    report: Report
    events: list[str] = field(default_factory=list)
    output: str = ""
    sandbox_note: str = ""
    seconds: float = 0.0
    traceback: str = ""
    picture: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> bytes:
        data = asdict(self)
        data["report"]["results"] = [asdict(r) for r in self.report.results]
        return json.dumps(data).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> "Outcome":
        data = json.loads(raw)
        report_data = data.pop("report")
        results = [CheckResult(**r) for r in report_data.pop("results")]
        report = Report(**{f.name: report_data[f.name] for f in fields(Report) if f.name != "results"},
                        results=results)
        return cls(report=report, **data)


class KindRecorder:
    """A bridge that passes calls through and remembers how student code failed."""

    def __init__(self, bridge: Bridge):
        self.bridge = bridge
        self.kinds: list[str] = []

    def call(self, function: str, *args: Any, **options: Any) -> Any:
        return self._recorded(self.bridge.call, function, *args, **options)

    def call_each(self, calls: list[tuple[str, tuple]], **options: Any) -> list[Any]:
        return self._recorded(self.bridge.call_each, calls, **options)

    def run(self, routine: str, **kwargs: Any) -> Any:
        return self._recorded(self.bridge.run, routine, **kwargs)

    def close(self) -> None:
        self.bridge.close()

    def _recorded(self, method, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except StudentCodeError as error:
            self.kinds.append(error.kind)
            raise

    def status(self) -> Status:
        """OK, or the first thing that happened to the process: TIMEOUT, CRASHED or BAD_REPLY."""
        return next((STATUS_BY_KIND[kind] for kind in self.kinds if kind in STATUS_BY_KIND), Status.OK)


def bounded(outcome: Outcome) -> Outcome:
    """``outcome`` with every message it carries cut to size.

    A submission decides what is in its messages (an exception quoting a 60 MB string, a
    dict with a million keys): unbounded, one submission made a 504 MB results.json.
    """
    report = outcome.report
    report.results = [replace(r, output=clip(r.output, MAX_CHECK_OUTPUT)) for r in report.results]
    report.error = clip(report.error, MAX_ERROR)
    events = list(dict.fromkeys(outcome.events))  # repeats are counted by the feedback, not kept
    kept = [clip(e, MAX_CHECK_OUTPUT) for e in outcome.events if e in events[:MAX_EVENTS]]
    return replace(outcome, report=report, events=kept, output=clip(outcome.output, MAX_OUTPUT))


def not_graded(name: str, checks: list[Check], status: Status, reason: str) -> Report:
    """A report in which every check failed because the submission could not be graded."""
    message = f"not run: {reason}"
    results = [c.result(False, message) for c in checks]
    return Report(name, results, status=status, error=reason)


def grade_one(name: str, path: Path, checks: list[Check], reference: LiveReference,
              call_timeout: float, sandbox: str = "auto", draw: Draw | None = None, more: bool = False) -> Outcome:
    """Run ``checks`` on the submission at ``path``; never raises for anything the submission does.

    more  another submission follows: its sandboxed process is made while this one is graded
    """
    started = time.perf_counter()
    try:
        bridge = IsolatedBridge(path, call_timeout=call_timeout, sandbox=sandbox, prepare_next=more)
    except SubmissionLoadError as error:  # SubmissionRefused too: a link swapped in after collecting
        status = Status.REFUSED if isinstance(error, SubmissionRefused) else Status.ERROR
        return bounded(Outcome(not_graded(name, checks, status, str(error)), seconds=time.perf_counter() - started,
                               picture=no_training_run()))
    recorder = KindRecorder(bridge)
    keeper = ClaimKeeper(recorder, pictured_case(draw or grading_draw()), reference_cost(reference))
    watched = WrongOutputs(keeper, checks)  # for integrity.csv: digests of wrong outputs no known mistake explains
    try:
        report = run_checks(watched, watched.checks, lambda check: reference, submission=name,
                            on_result=watched.on_result)
        report.wrong_outputs = watched.digests(reference)
        report.status = recorder.status()
        if report.status != Status.OK:  # say what happened to the process, for results.json and the CSV
            report.error = bridge.events[0] if bridge.events else f"the submission's process: {report.status}"
    finally:
        bridge.close()
    return bounded(Outcome(report, list(bridge.events), bridge.output, bridge.sandbox_note,
                           seconds=time.perf_counter() - started, picture=keeper.picture))


def reference_cost(reference: LiveReference):
    """(params, X, Y) -> the reference's cost of its forward pass: costs for a picture, on the grading side."""
    return lambda params, X, Y: reference.bridge.call("compute_cost", reference.forward(X, params), Y)


def serve(conn: Connection, settings: Settings) -> None:
    """Worker process entry point: say {"ready"}, then answer {"name", "path", "more"} requests with Outcome
    JSON ("more": the pool has further submissions for it, so the next sandboxed process is made meanwhile).

    Ctrl-C goes to the main process, which stops the workers; SIGTERM exits through
    ``finally`` blocks so an open bridge still ends its child process.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    # The run's language, fixed for this process: otherwise every message (hundreds per submission)
    # looks it up again, reading the kit's default-language file each time (~20 ms per submission).
    i18n.use(i18n.current())
    start_helper_process(settings.preload)  # it boots while the reference runs below
    checks = settings.checks()
    reference = LiveReference()
    for check in checks:  # every submission needs these: compute them before the first one's clock starts
        reference.expected(check)
    try:
        prepare(child_settings(sandbox=settings.sandbox))  # the first submission's process, made meanwhile
        conn.send_bytes(json.dumps({"ready": True}).encode())
        _answer(conn, checks, reference, settings)
    finally:  # a multiprocessing worker leaves through os._exit: atexit would not stop the helper
        discard_prepared()
        stop_helper_process()


def _answer(conn: Connection, checks: list[Check], reference: LiveReference, settings: Settings) -> None:
    while True:
        try:
            request = json.loads(conn.recv_bytes())
        except EOFError:
            return
        if request.get("stop"):
            return
        name, path = request["name"], Path(request["path"])
        try:
            outcome = grade_one(name, path, checks, reference, settings.call_timeout, settings.sandbox, settings.draw,
                                more=bool(request.get("more")))
        except Exception as error:  # a bug on our side: report it for this submission and go on
            outcome = grader_failed(name, checks, error)
        conn.send_bytes(outcome.to_json())


def grader_failed(name: str, checks: list[Check], error: Exception) -> Outcome:
    """The Outcome of a submission the grader itself failed on: status grader-error, 0 points for
    now, the traceback kept for the instructor (never shown to the student)."""
    where = f" on the check {error.check!r}" if isinstance(error, GraderError) else ""
    trace = error.traceback if isinstance(error, GraderError) else traceback.format_exc()
    reason = f"the grader failed{where} ({type(error.__cause__ or error).__name__}); re-run to grade it again"
    return Outcome(not_graded(name, checks, Status.GRADER_ERROR, reason), traceback=trace)


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)
