"""Files only their owner may read: the SQLite database, its WAL and SHM, the key file.

They hold what signs tokens (sealed, but the key file opens them) and every
session, so they are created 0600 whatever the umask, and one found with
wider permissions (made by an older version, or copied in) is tightened with
a warning rather than refused: refusing would stop a running deployment over
something we can fix on the spot.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

__all__ = ["OWNER_ONLY", "create_owner_only", "restrict_to_owner"]

OWNER_ONLY = 0o600
_OTHERS = stat.S_IRWXG | stat.S_IRWXO

log = logging.getLogger("gatepass.files")


def restrict_to_owner(path: Path) -> None:
    """Take every group/other permission off ``path`` (logged); nothing if it is absent."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & _OTHERS:
        os.chmod(path, mode & ~_OTHERS)
        log.warning(
            "%s was open to other users (mode %03o); changed it to %03o",
            path,
            mode,
            mode & ~_OTHERS,
        )


def create_owner_only(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (an existing file is tightened).

    An existing file is never opened: closing any descriptor of a file drops every
    POSIX lock this process holds on it, and SQLite's connections to the database
    hold theirs (another process, seeing none, would take the WAL away under them).
    """
    restrict_to_owner(path)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY))
