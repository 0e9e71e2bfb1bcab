"""`--help` offers what works here: the student kit, which leaves out the hidden checks and the
instructors' commands, offers neither those commands nor the options that need them."""
from __future__ import annotations

import argparse

import pytest

from grader import cli

KIT_LEAVES_OUT = ("grader.checks.hidden", "grader.commands.assign", "grader.commands.fixtures",
                  "grader.commands.grade", "grader.commands.release")


def subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return commands.choices[command]


@pytest.fixture
def as_in_the_kit(monkeypatch: pytest.MonkeyPatch) -> None:
    """cli as it runs in the student kit, where the modules the kit leaves out are absent."""
    real = cli.module_shipped
    monkeypatch.setattr(cli, "module_shipped", lambda module: module not in KIT_LEAVES_OUT and real(module))
    monkeypatch.setattr(cli, "shipped", lambda command: f"grader.commands.{command}" not in KIT_LEAVES_OUT)


def test_the_repository_offers_check_hidden():
    assert "--hidden" in subparser(cli.build_parser(), "check").format_help()


def test_every_instructor_option_names_a_module_of_the_repository():
    for (command, option), module in cli.INSTRUCTOR_OPTIONS.items():
        assert cli.module_shipped(module), module
        assert option in subparser(cli.build_parser(), command).format_help()


def test_the_kit_s_help_offers_neither_instructor_commands_nor_check_hidden(as_in_the_kit):
    parser = cli.build_parser()
    assert "grade" not in parser.format_help().replace("two-layer", "")
    check_help = subparser(parser, "check").format_help()
    assert "--hidden" not in check_help and "instructors" not in check_help
    assert "--json" in check_help and "--summary" in check_help  # the CI workflow uses both


def test_the_kit_refuses_check_hidden_in_one_line_that_says_why(as_in_the_kit, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["check", "--hidden", "two_layer_net.py"])
    assert exit_.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error == ("backprop-lab: error: check --hidden is for instructors: it needs grader.checks.hidden, "
                     "which is not part of the student kit")


def test_module_shipped_finds_modules_and_packages_without_importing_them():
    assert cli.module_shipped("grader.checks.hidden") and cli.module_shipped("grader.commands.grade")
    assert not cli.module_shipped("grader.checks.nowhere")
