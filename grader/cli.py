"""The ``backprop-lab`` command line.

``--lang zh|en`` goes before or after the command (``backprop-lab --lang zh check``,
``backprop-lab check --lang zh``); without it the language comes from BACKPROP_LAB_LANG, the
locale or the kit's default (grader/i18n.py). It is read before the parser is built, so that
``--help`` is in that language too. Help and errors students meet (check, train) are translated;
the instructors' commands' help stays English (their readers are the course staff).
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from grader import i18n
from grader.contract import DEFAULT_SUBMISSION, SCORED
from grader.i18n import N_, _

# argparse's own words a student meets (usage, help headings, usage errors), in its %-style: they
# go through our catalogue while main runs (argparse looks its texts up with a module-level _()).
ARGPARSE_TEXTS = frozenset((
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"), N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"), N_("the following arguments are required: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"), N_("ambiguous option: %(option)s could match %(matches)s"),
))


def shipped(command: str) -> bool:
    """Whether the module of ``command`` is here: the student kit leaves the instructors' commands out."""
    return importlib.util.find_spec(f"grader.commands.{command}") is not None


# Options that need a module the student kit leaves out: (command, option) -> that module. Where it
# is missing, --help does not offer the option and using it is an error that says why.
INSTRUCTOR_OPTIONS = {("check", "--hidden"): "grader.checks.hidden"}


def module_shipped(module: str) -> bool:
    """Whether the file of the ``grader`` module ``module`` is here (found without importing it)."""
    base = Path(__file__).resolve().parent.joinpath(*module.split(".")[1:])
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def scored_functions(values: list[str]) -> list[str]:
    """``check -k A -k B,C`` -> [A, B, C] (once each). Raises ValueError naming an unknown function."""
    names = list(dict.fromkeys(name.strip() for value in values for name in value.split(",") if name.strip()))
    unknown = [name for name in names if name not in SCORED] or ([] if names else ["''"])
    if unknown:
        raise ValueError(_("-k {names}: no such function; choose from {choices}",
                           names=", ".join(unknown), choices=", ".join(SCORED)))
    return names


def requested_language(argv: list[str]) -> str | None:
    """The value of the last ``--lang X`` or ``--lang=X`` in ``argv`` (before a ``--``), or None."""
    language = None
    for index, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(argv):
            language = argv[index + 1]
        elif word.startswith("--lang="):
            language = word.split("=", 1)[1]
    return language


@contextlib.contextmanager
def _argparse_translated() -> Iterator[None]:
    """argparse's texts of ARGPARSE_TEXTS in the language in use inside the block; others as they are."""
    original = argparse._
    argparse._ = lambda text: i18n._(text) if text in ARGPARSE_TEXTS else original(text)
    try:
        yield
    finally:
        argparse._ = original


def _add_gradebook_options(command: argparse.ArgumentParser) -> None:
    """--roster, --export and --match-column, as grade and merge both take them."""
    command.add_argument("--roster", type=Path, metavar="ROSTER.csv",
                         help="the class list (an LMS's grade export) for --export")
    command.add_argument("--export", choices=("canvas", "moodle"),
                         help="also write DIR/canvas.csv or DIR/moodle.csv for the LMS's grade import")
    command.add_argument("--match-column", metavar="COLUMN",
                         help="the roster column that names each student's submission (default: guessed)")


def _add_language(parser: argparse.ArgumentParser) -> None:
    # Read by requested_language before parsing; declared so argparse accepts it everywhere.
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=argparse.SUPPRESS,
                        help=_("the language of the output: zh or en (default: BACKPROP_LAB_LANG, "
                               "then the locale)"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backprop-lab",
        description=(_("Check, train and grade the two-layer neural network lab.") if shipped("grade")
                     else _("Check and train your two-layer neural network.")),
    )
    _add_language(parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar=_("COMMAND"))

    check = commands.add_parser("check", help=_("run the public checks on a submission and explain failures"))
    check.add_argument("path", nargs="?", type=Path, default=DEFAULT_SUBMISSION,
                       help=_("the submission file (default: {default})", default=DEFAULT_SUBMISSION))
    check.add_argument("--hidden", action="store_true", help="also run the hidden checks (instructors)")
    check.add_argument("--json", type=Path, metavar="FILE",
                       help=_("also write Gradescope results.json to FILE"))
    check.add_argument("--summary", type=Path, metavar="FILE",
                       help=_("also append a Markdown table of points to FILE (CI: $GITHUB_STEP_SUMMARY)"))
    check.add_argument("-k", dest="functions", action="append", metavar="FUNCTION",
                       help=_("run only the checks of FUNCTION (repeatable, or a comma list): {choices}",
                              choices=", ".join(SCORED)))
    check.add_argument("--show-output", action="store_true",
                       help=_("show everything your code printed, for every function (default: the first "
                              "lines, under failing functions)"))
    _add_language(check)

    train = commands.add_parser("train", help=_("train the network of a submission and save plots"))
    train.add_argument("path", nargs="?", type=Path, default=DEFAULT_SUBMISSION,
                       help=_("the submission file (default: {default})", default=DEFAULT_SUBMISSION))
    train.add_argument("--plots", type=Path, default=Path("plots"), metavar="DIR",
                       help=_("folder for the PNG plots (default: plots/)"))
    _add_language(train)

    if shipped("assign"):
        assign = commands.add_parser("assign", help="write student/ from solutions/ (instructors)")
        assign.add_argument("--check", action="store_true", help="only report whether student/ is stale")
        _add_language(assign)

    if shipped("fixtures"):
        _add_language(commands.add_parser("fixtures", help="record the data and the expected values of the "
                                                           "public checks"))

    if shipped("release"):
        release = commands.add_parser("release", help="build the student kit and the otter and Gradescope "
                                                      "autograders (instructors)")
        release.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write the release to")
        release.add_argument("--skip-otter", action="store_true",
                             help="leave out otter/autograder.zip (when otter-grader is not installed)")
        release.add_argument("--lang", choices=i18n.LANGUAGES, default=argparse.SUPPRESS,
                             help="the student kit's default language, zh or en (default: en; students "
                                  "override it with --lang or BACKPROP_LAB_LANG)")
        release.add_argument("--shards", type=int, default=4, metavar="N",
                             help="how many shards the engines/ manifests grade in (default: 4)")

    if shipped("grade"):
        grade = commands.add_parser("grade", help="grade many submissions in isolated processes (instructors)")
        grade.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                           help="a .py file, a folder of them, a folder of student folders, or a .zip")
        grade.add_argument("--out", type=Path, required=True, metavar="DIR",
                           help="folder for grades.csv, results/ and feedback/")
        grade.add_argument("--jobs", type=int, metavar="N", help="submissions graded at once (default: cores)")
        grade.add_argument("--timeout", type=float, metavar="SECONDS",
                           help="time allowed for each call into a submission (default: 10)")
        grade.add_argument("--public-only", action="store_true", help="run the public checks only")
        grade.add_argument("--regrade", "--force", dest="force", action="store_true",
                           help="grade every submission again, even those whose file and grader are unchanged, "
                                "and write DIR/regrade-diff.csv (--force is its older name)")
        grade.add_argument("--no-html", action="store_true",
                           help="write no report.html and no feedback/*.html (no pictures: a little faster)")
        grade.add_argument("--unsafe-sandbox", action="store_true",
                           help="grade even where submissions cannot be sandboxed (no Landlock and no mount "
                                "namespace): they could then read the reference and write anywhere you can")
        _add_gradebook_options(grade)
        grade.add_argument("--shard", metavar="I/N", dest="shard_value",
                           help="grade only shard I of N (1..N; by a hash of each submission's name) and write "
                                "DIR/shard.json for `merge`; env: take I/N from BACKPROP_LAB_SHARD, a "
                                "Kubernetes Indexed Job (JOB_COMPLETION_INDEX, BACKPROP_LAB_SHARDS) or a Slurm "
                                "array (SLURM_ARRAY_TASK_*)")
        _add_language(grade)  # the language of the feedback files and results (ids stay English)

        merge = commands.add_parser("merge", help="combine the output folders of `grade --shard` into one "
                                                  "(instructors)")
        merge.add_argument("shards", nargs="+", type=Path, metavar="SHARD_DIR",
                           help="the --out folder of each shard, every shard 1..N once")
        merge.add_argument("--out", type=Path, required=True, metavar="DIR",
                           help="folder for the merged grades.csv, results/, feedback/ and report.html")
        merge.add_argument("--no-html", action="store_true", help="write no report.html")
        _add_gradebook_options(merge)
    _hide_unshipped_options(commands)
    return parser


def _hide_unshipped_options(commands: argparse.Action) -> None:
    """Take the options of INSTRUCTOR_OPTIONS whose module is missing out of --help."""
    for (command, option), module in INSTRUCTOR_OPTIONS.items():
        subparser = commands.choices.get(command)
        action = subparser and subparser._option_string_actions.get(option)
        if action and not module_shipped(module):
            action.help = argparse.SUPPRESS


def _refuse_unshipped_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """An option of INSTRUCTOR_OPTIONS used where its module is missing: one usage error saying why."""
    for (command, option), module in INSTRUCTOR_OPTIONS.items():
        given = getattr(args, option.lstrip("-").replace("-", "_"), None)
        if args.command == command and given and not module_shipped(module):
            parser.error(_("{command} {option} is for instructors: it needs {module}, which is not "
                           "part of the student kit", command=command, option=option, module=module))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    language = requested_language(argv)
    if language is not None and i18n.normalise(language) is None:
        print(f"backprop-lab: error: --lang {language}: no such language; choose from "
              f"{', '.join(i18n.LANGUAGES)}", file=sys.stderr)  # no language to speak yet: English
        return 2
    try:
        with i18n.speaking(language), _argparse_translated():  # not kept after main: a second call starts afresh
            parser = build_parser()
            args = parser.parse_args(argv)
            _refuse_unshipped_options(parser, args)
            return _dispatch(args, language)
    except BrokenPipeError:  # e.g. `backprop-lab check | head` stopped reading: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


@contextlib.contextmanager
def _passed_on(language: str | None) -> Iterator[None]:
    """BACKPROP_LAB_LANG set to ``language`` inside the block, for the processes started there
    (grade's workers word the feedback in the language of the run)."""
    before = os.environ.get(i18n.ENVIRONMENT)
    if language is not None:
        os.environ[i18n.ENVIRONMENT] = i18n.normalise(language)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(i18n.ENVIRONMENT, None)
        else:
            os.environ[i18n.ENVIRONMENT] = before


def _dispatch(args: argparse.Namespace, language: str | None = None) -> int:
    if args.command == "check":
        from grader.commands import check

        try:
            functions = None if args.functions is None else scored_functions(args.functions)
        except ValueError as error:
            print(_("error: {error}", error=error), file=sys.stderr)
            return 2
        return check.main(args.path, hidden=args.hidden, json_path=args.json, summary_path=args.summary,
                          functions=functions, show_output=args.show_output)
    if args.command == "train":
        from grader.commands import train

        return train.main(args.path, args.plots)
    if args.command == "assign":
        from grader.commands import assign

        return assign.main(check_only=args.check)
    if args.command == "fixtures":
        from grader.commands import fixtures

        return fixtures.main()
    if args.command == "release":
        from grader.commands import release

        if args.shards < 1:
            print("error: --shards must be at least 1", file=sys.stderr)
            return 2
        return release.main(args.out, skip_otter=args.skip_otter, language=i18n.normalise(language or "en"),
                            shards=args.shards)
    if args.command == "grade":
        from grader.bridge import forkserver

        timeout = {} if args.timeout is None else {"timeout": args.timeout}  # grade owns the default
        with _passed_on(language), forkserver.started():  # the workers' forkserver, in the run's language, boots
            from grader.commands import grade  # while grade's own modules are imported (~0.25 s)

            return grade.main(args.paths, args.out, jobs=args.jobs, public_only=args.public_only,
                              force=args.force, unsafe_sandbox=args.unsafe_sandbox, roster=args.roster,
                              export=args.export, match_column=args.match_column, html=not args.no_html,
                              shard_value=args.shard_value, **timeout)
    if args.command == "merge":
        from grader.commands.grade import merge

        return merge.main(args.shards, args.out, html=not args.no_html, roster=args.roster, export=args.export,
                          match_column=args.match_column)
    return 2


if __name__ == "__main__":
    sys.exit(main())
