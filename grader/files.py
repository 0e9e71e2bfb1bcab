"""What a submission file is: a regular file, looked at without following links.

The collector, the Gradescope autograder and the bridge's reader all refuse a symbolic link
(a link to solutions/two_layer_net.py would otherwise be graded as the reference) and
anything else that is not a regular file.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from grader.text import printable


def kind(path: Path) -> str | None:
    """"file" (regular), "folder", "link", "other" (fifo, socket, device), or None when absent.

    lstat: a link is a link, whatever it points to."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "folder"
    return "file" if stat.S_ISREG(mode) else "other"


def refusal(path: Path) -> str:
    """Why the file at ``path`` cannot be a submission ("" when it is a regular file)."""
    found = kind(path)
    if found == "link":
        return f"{printable(path.name)} is a symbolic link; submit the file itself"
    if found == "other":
        return f"{printable(path.name)} is not a regular file; submit the file itself"
    return ""
