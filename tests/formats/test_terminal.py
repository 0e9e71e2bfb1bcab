"""`backprop-lab check`'s report on a screen: one line per unimplemented function, -k, the width
of the terminal, colour only on a terminal without NO_COLOR, and the student's prints kept."""
from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from grader.bridge.inprocess import InProcessBridge
from grader.checks import catalogue
from grader.cli import main
from grader.contract import SCORED, TODO_FUNCTIONS
from grader.formats import terminal
from grader.runner import check_file
from tests.timing import scaled

PUBLIC = catalogue(include_hidden=False)
ESC = "\x1b["


def prints_in_backward(reference_file: Path, tmp_path: Path, lines: int = 30) -> Path:
    """The reference with a wrong backward_propagation that prints ``lines`` lines per call."""
    source = reference_file.read_text(encoding="utf-8")
    start = source.index("def backward_propagation(")
    body = source.index('"""', source.index('"""', start) + 3) + 3
    extra = (f"\n    for k in range({lines}):\n        print('debug line', k)\n"
             "    raise ValueError('not today')\n")
    path = tmp_path / "two_layer_net.py"
    path.write_text(source[:body] + extra + source[body:], encoding="utf-8")
    return path


def run_check(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")} | (env or {})
    return subprocess.run([sys.executable, "-m", "grader", "check", *args], capture_output=True, text=True,
                          env=environment, timeout=scaled(120))


def in_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """What ``check`` writes to a pseudo-terminal of 100 columns (``env`` added)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR")} | env
    leader, follower = pty.openpty()
    import fcntl
    import struct
    import termios
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    process = subprocess.Popen([sys.executable, "-m", "grader", "check", *args], stdout=follower,
                               stderr=follower, stdin=subprocess.DEVNULL, env=environment)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=scaled(120))
    os.close(leader)
    return b"".join(chunks).decode()


def test_the_stub_is_one_line_per_function(capsys, stub_file, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["check", str(stub_file)]) == 1
    out = capsys.readouterr().out
    for function in TODO_FUNCTIONS:
        checks = sum(c.function == function for c in PUBLIC)
        [line] = [line for line in out.splitlines() if line.startswith(f"{function}  ")]
        assert line.endswith(f"  not implemented yet: {checks} checks"), line
    assert "training  (0/20)  needs initialize_parameters, not implemented yet: 2 checks" in out
    assert "NotImplementedError" in out and "FAIL" not in out
    assert len(out.splitlines()) <= 15


def test_a_function_that_runs_is_not_collapsed(capsys, reference_file, tmp_path):
    main(["check", str(prints_in_backward(reference_file, tmp_path))])
    out = capsys.readouterr().out
    assert "  FAIL" in out and "not implemented yet" not in out


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_lines_fit_the_width_of_the_terminal(capsys, reference_file, tmp_path, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    main(["check", str(prints_in_backward(reference_file, tmp_path))])
    title, *lines = capsys.readouterr().out.splitlines()  # the title's path is never cut
    assert max(len(line) for line in lines) <= columns
    assert all(line == line.rstrip() for line in lines)
    if columns == 120:
        assert max(len(line) for line in lines) > 80  # the width is used, not a fixed 80


def test_k_runs_only_the_checks_of_the_named_functions(capsys, stub_file):
    assert main(["check", str(stub_file), "-k", "compute_cost,forward_propagation", "-k", "compute_cost"]) == 1
    out = capsys.readouterr().out
    headings = [line.split()[0] for line in out.splitlines() if "  not implemented yet:" in line]
    assert headings == ["forward_propagation", "compute_cost"]
    expected = sum(c.function in ("compute_cost", "forward_propagation") for c in PUBLIC)
    assert f"0/{expected} checks passed" in out and "hidden checks" not in out


def test_k_training_on_the_reference_passes(capsys, reference_file):
    assert main(["check", str(reference_file), "-k", "training"]) == 0
    assert "training  (20/20)" in capsys.readouterr().out


def test_k_with_an_unknown_function_is_one_error_line(capsys, stub_file):
    assert main(["check", str(stub_file), "-k", "compute_cost,forward"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith("error: -k forward: no such function") and all(f in line for f in SCORED)


def test_piped_output_is_plain_text(stub_file):
    done = run_check([str(stub_file)], {"COLUMNS": "80"})
    assert done.returncode == 1 and ESC not in done.stdout


def test_a_terminal_gets_colour_and_its_own_width(reference_file, tmp_path):
    out = in_a_terminal([str(prints_in_backward(reference_file, tmp_path))], {})
    assert f"{ESC}32mPASS" in out and f"{ESC}31mFAIL" in out and f"{ESC}1mforward_propagation" in out
    plain = [line for line in out.replace("\r", "").splitlines()]
    assert max(len(line) for line in plain if ESC not in line) > 80  # 100 columns, not 80


def test_no_color_turns_the_colour_off_on_a_terminal(stub_file):
    out = in_a_terminal([str(stub_file)], {"NO_COLOR": "1"})
    assert "not implemented yet" in out and ESC not in out


def test_a_failing_function_shows_its_first_prints(capsys, reference_file, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    main(["check", str(prints_in_backward(reference_file, tmp_path)), "-k", "backward_propagation"])
    out = capsys.readouterr().out
    assert "debug line 19" in out and "debug line 20" not in out
    assert "the first 20 below" in out and "--show-output shows all" in out


def test_show_output_shows_all_of_it(capsys, reference_file, tmp_path):
    main(["check", str(prints_in_backward(reference_file, tmp_path)), "-k", "backward_propagation",
          "--show-output"])
    out = capsys.readouterr().out
    assert "debug line 29" in out and "cut" not in out


def test_the_bridge_keeps_prints_per_function(reference_file, tmp_path):
    report = check_file(prints_in_backward(reference_file, tmp_path, lines=2))
    assert set(report.printed) == {"backward_propagation", "training"}  # training runs backward too
    assert report.printed["backward_propagation"].startswith("debug line 0\ndebug line 1\n")
    bridge = InProcessBridge({"f": lambda: print("hello") or 1, "g": lambda: 2})
    assert bridge.call("f") == 1 and bridge.call("g") == 2 and bridge.call("f") == 1
    assert bridge.outputs == {"f": "hello\nhello\n"} and bridge.output.getvalue() == "hello\nhello\n"


def test_render_is_plain_text_of_the_width_asked(stub_file):
    text = terminal.render(check_file(stub_file), width=60)
    assert ESC not in text and max(len(line) for line in text.splitlines()[1:]) <= 60
