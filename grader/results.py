"""The one result type: what a check found, and a report of many of them.

Every output format (terminal, pytest, Gradescope JSON, CSV, Markdown, otter)
only formats these records.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import asdict, dataclass, field

from grader.status import Status


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check on one submission.

    name      "forward_propagation: shapes on X (5, 2)"; starts with the function examined. In
              English whatever the language: an id (CSV columns, JSON, stored grades)
    function  the function the points belong to ("training" for the training checks)
    score     points earned: ``max_score`` when passed, else 0
    output    what the student reads: why it failed, or a short confirmation
    title     the name as the student reads it, in the report's language ("" : ``name``)
    """

    name: str
    function: str
    max_score: float
    passed: bool
    output: str
    hidden: bool = False
    title: str = ""

    @property
    def shown(self) -> str:
        """The check's name in the report's language."""
        return self.title or self.name

    @property
    def in_group(self) -> str:
        """The title as read under a heading that already names its function (the terminal report
        groups checks by function): ``shown`` without its "<function>: " ("训练: ") prefix."""
        return self.shown.split(": ", 1)[-1]

    @property
    def score(self) -> float:
        return self.max_score if self.passed else 0.0

    def to_dict(self) -> dict:
        return asdict(self) | {"score": self.score}


@dataclass
class Report:
    """All results for one submission, in catalogue order.

    status  Status.OK when every check ran as planned; otherwise what stopped or disturbed
            the run (grader/status.py; a plain string is turned into its Status)
    """

    submission: str
    results: list[CheckResult] = field(default_factory=list)
    status: Status = Status.OK
    error: str = ""
    hidden_not_run: int = 0  # hidden checks that exist but were not run here
    printed: dict[str, str] = field(default_factory=dict)  # function -> what the submission printed
    # while its checks ran (in-process runs only: check, pytest)
    wrong_outputs: dict[str, str] = field(default_factory=dict)  # probe key -> digest of a wrong output no
    # known mistake explains (``grade`` only, for integrity.csv: grader/commands/grade/wrong_outputs.py)

    def __post_init__(self) -> None:
        self.status = Status(self.status)

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.max_score for r in self.results)

    @property
    def all_passed(self) -> bool:
        return self.status == Status.OK and all(r.passed for r in self.results)

    def by_function(self) -> "OrderedDict[str, list[CheckResult]]":
        groups: OrderedDict[str, list[CheckResult]] = OrderedDict()
        for result in self.results:
            groups.setdefault(result.function, []).append(result)
        return groups

    def points_by_function(self) -> "OrderedDict[str, tuple[float, float]]":
        """function -> (earned, possible)."""
        return OrderedDict(
            (fn, (sum(r.score for r in rs), sum(r.max_score for r in rs)))
            for fn, rs in self.by_function().items()
        )
