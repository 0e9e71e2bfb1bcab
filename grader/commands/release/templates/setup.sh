#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder's image (Ubuntu with python3):
# a virtual environment with the kit installed from PyPI packages, hidden checks and
# reference solution included. Paths can be moved with environment variables (tests do).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="${AUTOGRADER_SOURCE:-$ROOT/source}"
VENV="${AUTOGRADER_VENV:-$ROOT/venv}"

# Ubuntu leaves venv and pip out of its python3 package.
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y python3 python3-venv python3-pip
fi
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --disable-pip-version-check -e "$SOURCE/kit"
# Every submission is graded in a fresh container made from this image: compiled now, the kit's
# modules are not compiled again by each of the processes that grade one (~0.07 s each, measured).
"$VENV/bin/python" -m compileall -q "$SOURCE/kit/grader"
"$VENV/bin/python" -c "import grader.checks.hidden, grader.commands.grade; print('backprop-lab autograder ready')"
