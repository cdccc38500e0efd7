"""Owner-only files and folders: drafts, the index and exports are NHS working papers.

The data dir is created 0700 and every file the product writes there 0600, so another account on
a shared server cannot read a draft even when the default umask would allow it. `coach` also sets
a 077 umask for its whole process (see `bot.cli.main`), which covers files that libraries create
on their own (SQLite's WAL, Chroma's segments).
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
OWNER_ONLY_UMASK = 0o077


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) owner-only; tighten it if it exists and is ours."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make sure `path` exists and only its owner can read or write it (content untouched).

    A missing parent is created owner-only; an existing one is left as it is.
    """
    path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    _tighten(path, FILE_MODE)
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write `data` to `path`, created or truncated, readable by its owner only.

    The parent folder is created if needed but not re-permissioned: it may be the user's own
    choice (`-o ~/Documents/brief.docx`); our own folders go through `private_dir` first.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb", closefd=False) as handle:
            handle.write(data)
    finally:
        os.close(fd)
    return path


def _tighten(path: Path, mode: int) -> None:
    """chmod only what this account owns: a shared folder someone else made is left alone."""
    info = path.stat()
    if info.st_uid == os.getuid() and info.st_mode & 0o777 != mode:
        path.chmod(mode)
