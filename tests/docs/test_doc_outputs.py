"""Every command output pasted into docs/*.md and README.md is what the command prints today.

The convention, for whoever edits the docs: a fenced block with no language (a bare ```) is
pasted output, and the line just above its opening fence says where it came from:

    <!-- output-of: COMMAND -->    the block is COMMAND's whole output
    <!-- excerpt-of: COMMAND -->   every line of the block appears in COMMAND's output, in order
    <!-- illustrative: WHY -->     not run; WHY says why (it needs Docker, a hand-broken file, ...)

Blocks with a language (```bash, ```python, ```text) are code, commands or pictures: not run.

Inside a block, lines starting with "$ " show what a reader types and are not compared (the
marker's COMMAND is what runs; it may be a quick form of them). In an excerpt, a line that is
just "..." marks lines left out, "..." inside a line stands for any text, and blank lines are
ignored.

A doc in Chinese (``*.zh.md``: docs/*.zh.md, the kit's README.zh.md template) shows what the
commands print in Chinese: its COMMANDs run with BACKPROP_LAB_LANG=zh, every other doc's with
BACKPROP_LAB_LANG=en (a COMMAND's own BACKPROP_LAB_LANG=... prefix wins).

COMMAND runs in the repository root, without a shell: simple commands joined by " && " (stop
at the first failure) or " ; " (go on), each split as a shell would, with optional NAME=value
prefixes; ``cd DIR`` changes the folder of the commands after it. ``backprop-lab``, ``python``,
``pytest`` and ``otter`` are those of the Python running these tests. ``{tmp}`` is one
temporary folder shared by the whole run and ``{python}`` this Python. A simple command already
run (same folder, same environment) is not run again, so several blocks can begin with the
same ``backprop-lab release --out {tmp}/rel`` and build it once; each COMMAND must still make
everything it uses itself.

What is compared: stdout and stderr together, as a terminal shows them (unbuffered, 80
columns), and the block, both normalised the same way: carriage returns split lines (progress
bars), trailing spaces go, the temporary folder disappears from paths ("{tmp}/rel/student"
reads "rel/student"), and durations such as "0.57s" read "<t>s".
"""
from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.i18n import ENVIRONMENT
from tests.timing import scaled

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS = (sorted(REPO_ROOT.glob("docs/*.md")) + [REPO_ROOT / "README.md"]
        + sorted(REPO_ROOT.glob("grader/commands/release/templates/README*.md")))
KINDS = ("output-of", "excerpt-of", "illustrative")
MARKER = re.compile(r"^\s*<!--\s*([a-z-]+):\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(```+)\s*([^`\s]*)\s*$")
DURATION = re.compile(r"\b\d+(?:\.\d+)?s\b")
STEP_SECONDS = scaled(300)  # a command that hangs fails its block instead of stalling the suite
OTTER_INSTALLED = importlib.util.find_spec("otter") is not None
NO_OTTER = 'otter-grader is not installed (pip install -e ".[dev,otter]")'


@dataclass(frozen=True)
class Block:
    """One fenced block of a doc: where it is, its language, its lines and its marker (kind, text)."""

    doc: Path
    line: int  # of the opening fence, counted from 1
    language: str
    lines: tuple[str, ...]
    kind: str | None  # one of KINDS, another word (a typo), or None when unmarked
    command: str  # the COMMAND, or the reason of an illustrative block

    @property
    def name(self) -> str:
        return f"{self.doc.relative_to(REPO_ROOT)}:{self.line}"

    @property
    def speaks(self) -> str:
        """The language its COMMAND runs in (``language`` is the fence's)."""
        return language_of(self.doc)


def language_of(doc: Path) -> str:
    """"zh" for a doc in Chinese (handout.zh.md, README.zh.md), else "en": the language its COMMANDs speak."""
    return "zh" if doc.name.endswith(".zh.md") else "en"


def read_blocks(doc: Path) -> list[Block]:
    """The fenced blocks of one Markdown file, each with the marker on the line above it."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    blocks, index = [], 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, ticks, language = opening.groups()
        end = index + 1
        while end < len(lines) and lines[end].strip() != ticks:
            end += 1
        body = tuple(line[len(indent):] if line.startswith(indent) else line.lstrip()
                     for line in lines[index + 1:end])
        marker = MARKER.match(lines[index - 1]) if index else None
        kind, command = marker.groups() if marker else (None, "")
        blocks.append(Block(doc, index + 1, language, body, kind, command))
        index = end + 1
    return blocks


BLOCKS = [block for doc in DOCS for block in read_blocks(doc)]
RUN = [block for block in BLOCKS if block.kind in ("output-of", "excerpt-of")]


# -- running a COMMAND

@dataclass(frozen=True)
class Step:
    """One simple command of a COMMAND: what to run, where, with which extra variables."""

    argv: tuple[str, ...]
    cwd: Path
    env: tuple[tuple[str, str], ...]
    stop_on_failure: bool  # joined to the next step by "&&"


def program(name: str) -> list[str]:
    """The argv prefix for a program named in a COMMAND: this Python's tools where it has them."""
    beside = Path(sys.executable).parent
    if name == "python":
        return [sys.executable]
    if name == "backprop-lab":
        script = beside / "backprop-lab"
        return [str(script)] if script.exists() else [sys.executable, "-m", "grader"]
    if name in ("pytest", "otter"):
        script = beside / name
        return [str(script)] if script.exists() else [sys.executable, "-m", name]
    return [name]


def parse(command: str, tmp: Path, language: str = "en") -> list[Step]:
    """COMMAND -> its simple commands, placeholders filled in, `cd` applied to the steps after it,
    each speaking ``language`` unless it sets BACKPROP_LAB_LANG itself."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&")
    lexer.whitespace_split = True
    words = [word.replace("{tmp}", str(tmp)).replace("{python}", sys.executable) for word in lexer]
    steps, cwd, simple = [], REPO_ROOT, []
    for word in [*words, ";"]:
        if word not in ("&&", ";"):
            simple.append(word)
            continue
        assignments = [w for w in simple if re.fullmatch(r"[A-Za-z_]\w*=.*", w)]
        argv = simple[len(assignments):]
        assert argv, f"empty command in {command!r}"
        if argv[0] == "cd":
            cwd = (cwd / argv[1]).resolve()
        else:
            env = tuple(tuple(a.split("=", 1)) for a in assignments)
            env = env if any(name == ENVIRONMENT for name, _value in env) else ((ENVIRONMENT, language), *env)
            steps.append(Step(tuple(program(argv[0]) + argv[1:]), cwd, env, word == "&&"))
        simple = []
    return steps


def needs_otter(command: str) -> bool:
    """`otter ...`, or a release that builds the otter autograder (no --skip-otter)."""
    words = command.split()
    runs_release = any(a == "backprop-lab" and b == "release" for a, b in zip(words, words[1:], strict=False))
    return "otter" in words or (runs_release and "--skip-otter" not in words)


class Runner:
    """Runs COMMANDs in the repository root; a simple command already run is not run again."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self._done: dict[Step, tuple[int, str]] = {}
        self._env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        self._env |= {"PYTHONUNBUFFERED": "1", "COLUMNS": "80"}

    def output(self, command: str, language: str = "en") -> str:
        """What a terminal would show for COMMAND in ``language`` (stdout and stderr as they came)."""
        shown = []
        for step in parse(command, self.tmp, language):
            status, text = self._run(step)
            shown.append(text)
            if status != 0 and step.stop_on_failure:
                break
        return "".join(shown)

    def _run(self, step: Step) -> tuple[int, str]:
        if step not in self._done:
            done = subprocess.run(step.argv, cwd=step.cwd, env=self._env | dict(step.env),
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, errors="replace", timeout=STEP_SECONDS)
            self._done[step] = (done.returncode, done.stdout)
        return self._done[step]


@pytest.fixture(scope="module")
def runner(tmp_path_factory) -> Runner:
    return Runner(tmp_path_factory.mktemp("doc-outputs").resolve())


# -- comparing

def normalise(text: str, tmp: Path) -> list[str]:
    """Lines as compared: progress-bar redraws split, trailing spaces, {tmp}/ and durations gone."""
    text = text.replace(f"{tmp}/", "").replace(str(tmp), ".")
    return [DURATION.sub("<t>s", line.rstrip()) for line in re.split(r"\r\n|\r|\n", text)]


def shown_lines(block_lines: tuple[str, ...], tmp: Path) -> list[str]:
    """The block's output lines: the "$ " lines a reader types are left out."""
    return normalise("\n".join(line for line in block_lines if not line.startswith("$ ")), tmp)


def missing_from_excerpt(excerpt: list[str], output: list[str]) -> str | None:
    """The first excerpt line not found in the output after the previous one, or None if all are."""
    position = 0
    for line in excerpt:
        if not line.strip() or line.strip() == "...":
            continue
        pattern = re.compile(".*".join(re.escape(part) for part in line.split("...")))
        found = next((i for i in range(position, len(output)) if pattern.fullmatch(output[i])), None)
        if found is None:
            return line
        position = found + 1
    return None


def trimmed(lines: list[str]) -> list[str]:
    """Without blank lines at either end."""
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    end = len(lines) - next((i for i, line in enumerate(reversed(lines)) if line.strip()), len(lines))
    return lines[start:end]


# -- the tests

@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: str(doc.relative_to(REPO_ROOT)))
def test_every_pasted_output_says_where_it_came_from(doc):
    blocks = read_blocks(doc)
    unmarked = [b.name for b in blocks if not b.language and b.kind is None]
    assert not unmarked, ("a block without a language is pasted output: put <!-- output-of: ... -->, "
                          f"<!-- excerpt-of: ... --> or <!-- illustrative: why --> above it: {unmarked}")
    unknown = [f"{b.name} ({b.kind})" for b in blocks if b.kind is not None and b.kind not in KINDS]
    assert not unknown, f"markers are {', '.join(KINDS)}: {unknown}"
    empty = [b.name for b in blocks if b.kind is not None and not b.command]
    assert not empty, f"a marker names its command (or, when illustrative, says why): {empty}"
    on_code = [b.name for b in blocks if b.language and b.kind in ("output-of", "excerpt-of")]
    assert not on_code, f"output markers go on bare ``` blocks (pasted output), not on code: {on_code}"


def test_every_marker_sits_on_a_block():
    """A marker separated from its block by a blank line would silently check nothing."""
    strays = []
    for doc in DOCS:
        lines = doc.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            marker = MARKER.match(line)
            if marker and marker.group(1) in KINDS and not (number < len(lines) and FENCE.match(lines[number])):
                strays.append(f"{doc.relative_to(REPO_ROOT)}:{number}")
    assert not strays, f"a marker must be the line just above its block's opening fence: {strays}"


@pytest.mark.slow
@pytest.mark.parametrize("block", RUN, ids=lambda block: block.name)
def test_pasted_output_is_what_the_command_prints(block, runner):
    if needs_otter(block.command) and not OTTER_INSTALLED:
        pytest.skip(NO_OTTER)
    output = normalise(runner.output(block.command, block.speaks), runner.tmp)
    pasted = shown_lines(block.lines, runner.tmp)
    real = "\n".join(output)
    if block.kind == "output-of":
        assert trimmed(pasted) == trimmed(output), f"{block.name}: `{block.command}` now prints:\n{real}"
    else:
        missing = missing_from_excerpt(pasted, output)
        assert missing is None, (f"{block.name}: this line is not in the output of `{block.command}` "
                                 f"(or not in this order):\n{missing}\n--- the output:\n{real}")


def test_an_excerpt_with_a_changed_figure_or_order_does_not_match():
    """The comparison itself: '...' stands for text, but a stale number or a swapped line fails."""
    output = ["header", "Points: 54/85. 24 hidden checks", "stub,0,127,ok", "28 failed in <t>s"]
    assert missing_from_excerpt(["Points: 54/85. ...", "...", "28 failed in <t>s"], output) is None
    assert missing_from_excerpt(["Points: 53/84. ..."], output) == "Points: 53/84. ..."
    assert missing_from_excerpt(["stub,0,127,ok", "header"], output) == "header"


def test_normalising_hides_only_the_temporary_folder_and_durations(tmp_path):
    text = f"wrote {tmp_path}/rel/student/\r10%|#  | 1/10\n28 failed in 0.63s   \n3/3 checks, 10 s per call"
    assert normalise(text, tmp_path) == ["wrote rel/student/", "10%|#  | 1/10", "28 failed in <t>s",
                                         "3/3 checks, 10 s per call"]


def test_commands_are_split_like_a_shell_without_one(tmp_path):
    steps = parse("backprop-lab release --out {tmp}/rel && cd {tmp}/rel/student ; "
                  "AUTOGRADER_ROOT={tmp}/ag pytest -k 'compute_cost and values'", tmp_path)
    assert [s.argv[-3:] for s in steps] == [("release", "--out", f"{tmp_path}/rel"),
                                            (*program("pytest")[-1:], "-k", "compute_cost and values")]
    assert steps[1].cwd == (tmp_path / "rel" / "student").resolve()
    assert steps[1].env == (("BACKPROP_LAB_LANG", "en"), ("AUTOGRADER_ROOT", f"{tmp_path}/ag"))
    assert [s.stop_on_failure for s in steps] == [True, False]


def test_a_chinese_doc_s_commands_speak_chinese_and_an_english_one_s_english(tmp_path):
    chinese = [doc for doc in DOCS if language_of(doc) == "zh"]
    assert {"student-guide.zh.md", "handout.zh.md", "README.zh.md"} <= {doc.name for doc in chinese}
    assert language_of(REPO_ROOT / "README.md") == "en" and language_of(REPO_ROOT / "docs" / "handout.en.md") == "en"
    [step] = parse("backprop-lab check", tmp_path, "zh")
    assert dict(step.env)["BACKPROP_LAB_LANG"] == "zh"
    [step] = parse("BACKPROP_LAB_LANG=en backprop-lab check", tmp_path, "zh")
    assert step.env == (("BACKPROP_LAB_LANG", "en"),)  # the COMMAND's own choice wins


def test_a_block_of_a_chinese_doc_is_compared_with_the_chinese_output(tmp_path):
    """What the language does to a run: the same COMMAND prints Chinese for a zh doc, English for another."""
    runner = Runner(tmp_path)
    command = "backprop-lab check -k nothing examples/submissions/stub.py"
    assert "没有这个函数" in runner.output(command, "zh")
    assert "no such function" in runner.output(command, "en")
