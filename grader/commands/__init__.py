"""One module per ``backprop-lab`` subcommand; ``grader.cli`` wires them to argparse."""
