"""Folding stored emails to the normalised form: a pure rule migration 0002 applies.

Rows stored before ``gatepass.identity.emails`` were only trimmed and
lowercased, so two accounts may fold to one address (``ｖｉｃｔｉｍ@`` and
``victim@``), and some rows may hold an address the rule now refuses (a
zero-width space, a ``.local`` domain). No account is lost or merged:

- a row whose folded form is its own is left as it is;
- a row that folds alone to a new form is updated;
- rows that fold to the same address are all left untouched, and reported
  by user id, for an operator to decide (``gatepass users disable ID``);
- a row the rule refuses is left untouched and reported by user id; it can
  still be found by its email (``email_lookup_key``) but cannot log in.

Reports name user ids only: never an email.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from gatepass.errors import InvalidEmailError
from gatepass.identity.emails import normalise_email

__all__ = ["EmailFold", "plan_email_fold"]


@dataclass(frozen=True, slots=True)
class EmailFold:
    """What to change: ``updates`` as (user id, new email); the rest is reported."""

    updates: tuple[tuple[str, str], ...]
    collisions: tuple[tuple[str, ...], ...]
    refused: tuple[str, ...]

    def warnings(self) -> list[str]:
        """One line per problem, naming user ids only."""
        lines = [
            "users "
            + ", ".join(ids)
            + " have emails that normalise to the same address: left unchanged;"
            " keep one account and disable the others (gatepass users disable ID)"
            for ids in self.collisions
        ]
        if self.refused:
            lines.append(
                "users "
                + ", ".join(self.refused)
                + " have emails that are not valid addresses under the normalisation"
                " rule: left unchanged; they cannot log in until an operator resolves them"
            )
        return lines


def plan_email_fold(rows: Iterable[tuple[str, str]]) -> EmailFold:
    """The fold of ``(user id, stored email)`` rows, in the order given."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    refused: list[str] = []
    for user_id, email in rows:
        try:
            groups[normalise_email(email)].append((user_id, email))
        except InvalidEmailError:
            refused.append(user_id)
    updates: list[tuple[str, str]] = []
    collisions: list[tuple[str, ...]] = []
    for folded, members in groups.items():
        if len(members) > 1:
            collisions.append(tuple(user_id for user_id, _ in members))
        elif members[0][1] != folded:
            updates.append((members[0][0], folded))
    return EmailFold(tuple(updates), tuple(collisions), tuple(refused))
