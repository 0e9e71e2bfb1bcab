"""A copy disguised the way students disguise one: variables renamed, functions reordered, comments
rewritten. ``disguised(source)`` returns the copy; it still runs and grades like the original."""
from __future__ import annotations

import ast
import io
import tokenize

RENAMED = {
    "W1": "weights_in", "b1": "bias_in", "W2": "weights_out", "b2": "bias_out",
    "Z1": "pre_hidden", "A1": "hidden", "Z2": "pre_out", "A2": "prob", "m": "count",
    "dZ1": "delta_hidden", "dZ2": "delta_out", "dW1": "grad_w_in", "db1": "grad_b_in",
    "dW2": "grad_w_out", "db2": "grad_b_out", "cache": "memo", "cost": "loss_value",
    "indices": "order", "start": "first", "logprobs": "log_terms",
}


def _renamed(source: str) -> str:
    """Every NAME token in RENAMED renamed (strings, such as the dict keys "W1", stay); every comment
    rewritten. Edited in place, right to left on each line, so that spacing stays as written."""
    lines = source.splitlines(keepends=True)
    edits = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME and token.string in RENAMED:
            edits.append((token.start, token.end, RENAMED[token.string]))
        elif token.type == tokenize.COMMENT:
            edits.append((token.start, token.end, "# my own note"))
    for (row, start), (_row, end), text in sorted(edits, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + text + line[end:]
    return "".join(lines)


def _reordered(source: str) -> str:
    """The top-level functions in reverse order, after everything else of the module."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    taken = {i for node in functions for i in range(node.lineno - 1 - len(node.decorator_list), node.end_lineno)}
    rest = [line for i, line in enumerate(lines) if i not in taken]
    moved = ["\n\n" + "".join(lines[node.lineno - 1 - len(node.decorator_list):node.end_lineno])
             for node in reversed(functions)]
    return "".join(rest).rstrip() + "\n" + "".join(moved)


def disguised(source: str) -> str:
    return _reordered(_renamed(source))
