"""The ``mfa_token``: a login whose password was right, waiting for its second factor.

A one-time account token (``gatepass.tokens.onetime``) of purpose
``mfa_login``: 256 random bits, only its hash stored, bound to the user and
their account stamp (a password change kills it), living 5 minutes, spent by
its use. Its payload is the login's state: how the login asked for its tokens
(``cookies``), how its first step went (``first``: the RFC 8176 ``amr`` of the
password, ``pwd``, or of a sign-in with a provider, as the provider said) and
how many wrong codes it has had. A wrong code spends the
token and ``after_failure`` gives the record to store again with one more
failure, or None at the ``MAX_FAILURES``th: the token is then dead (and the
person logs in with their password again, which the account's lockout counts).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from gatepass.errors import InvalidTokenError
from gatepass.store.account_tokens import AccountToken
from gatepass.store.records import User
from gatepass.tokens import onetime

__all__ = ["MAX_FAILURES", "PASSWORD_FIRST", "MfaState", "after_failure", "mint", "state_of"]

MAX_FAILURES = 5

#: The first step of a login that is not a provider's: the password (RFC 8176).
PASSWORD_FIRST: tuple[str, ...] = ("pwd",)


@dataclass(frozen=True, slots=True)
class MfaState:
    cookies: bool
    failures: int = 0
    first: tuple[str, ...] = PASSWORD_FIRST


def _payload(state: MfaState) -> str:
    return json.dumps(
        {"cookies": state.cookies, "failures": state.failures, "first": list(state.first)}
    )


def mint(
    user: User, now: float, *, cookies: bool, first: tuple[str, ...] = PASSWORD_FIRST
) -> onetime.IssuedToken:
    """A fresh ``mfa_token`` for ``user``'s login (``cookies``: deliver the tokens as
    cookies; ``first``: the ``amr`` of the login's first step)."""
    state = MfaState(cookies, first=first)
    return onetime.mint("mfa_login", user, now, payload=_payload(state))


def state_of(record: AccountToken) -> MfaState:
    """The login's state a spent token carried; ``InvalidTokenError`` for a
    record that is no ``mfa_login`` token."""
    if record.purpose != "mfa_login" or record.payload is None:
        raise InvalidTokenError()
    fields = json.loads(record.payload)
    first = fields.get("first", PASSWORD_FIRST)  # a token minted before ``first`` was kept
    return MfaState(
        cookies=bool(fields["cookies"]),
        failures=int(fields["failures"]),
        first=tuple(str(value) for value in first),
    )


def after_failure(record: AccountToken) -> AccountToken | None:
    """The token to keep after one more wrong code, or None when that was the last allowed."""
    state = state_of(record)
    failures = state.failures + 1
    if failures >= MAX_FAILURES:
        return None
    return dataclasses.replace(
        record, payload=_payload(dataclasses.replace(state, failures=failures))
    )
