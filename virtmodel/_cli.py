"""What the command-line tools share: one-line user errors and a checked output folder.

A user error (a bad scenario, a missing file, an output folder that cannot be
one) ends a command with one line on stderr and exit status 2, the status
argparse uses for a bad command line; ``--debug`` shows the traceback instead.
A bug in virtmodel still ends with its traceback.

>>> import os
>>> output_folder("results/../output") == Path(os.getcwd(), "output")
True
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import ParameterError, UnstableError

#: the exit status of a user error (argparse's for a bad command line)
USAGE_STATUS = 2


class UserError(Exception):
    """A mistake in what the user asked for; its message is the one line they see."""


def add_debug_option(parser: argparse.ArgumentParser) -> None:
    """``--debug``: show the traceback of a user error instead of its one line."""
    parser.add_argument("--debug", action="store_true", help="on an error, show the Python traceback")


def run(prog: str, command, args) -> int:
    """``command(args)``'s exit status; a user error prints ``prog: error: ...`` on stderr, status 2."""
    try:
        return command(args)
    except (UserError, ParameterError, UnstableError) as error:
        if getattr(args, "debug", False):
            raise
        print(f"{prog}: error: {error}", file=sys.stderr)
        return USAGE_STATUS


def output_folder(text: str) -> Path:
    """The absolute, normalised folder that ``--out text`` names, checked but not created.

    Refused (:class:`UserError`): an empty name (it would mean the current folder
    without saying so), an existing file, a path through a file, a place this
    user cannot write. ``..`` is resolved in the name, so ``A/deeper/../x`` is
    ``A/x`` and ``A/deeper`` is never made.
    """
    if not text or not text.strip():
        raise UserError("--out is empty: name the output folder (e.g. --out output; --out . for this folder)")
    path = Path(os.path.abspath(os.path.expanduser(text)))
    if path.exists() and not path.is_dir():
        raise UserError(f"--out {text}: {path} is a file, not a folder")
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir():
        raise UserError(f"--out {text}: {existing} is a file, so {path} cannot be a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"--out {text}: {existing} is not writable")
    return path


__all__ = ["USAGE_STATUS", "UserError", "add_debug_option", "output_folder", "run"]
