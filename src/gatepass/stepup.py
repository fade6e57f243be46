"""Step-up (RFC 9470): the login a route needs, judged on a token's claims, and the challenge.

A ``StepUp`` says what the login behind an access token must have been:

- ``amr``: every listed RFC 8176 method is in the token's ``amr``. ``["otp"]``
  asks for a TOTP code; ``["mfa"]`` for any second factor, since gatepass (as
  RFC 8176 asks of every issuer) adds ``mfa`` to the factor's own value
  whenever a login used more than one;
- ``acr``: the token's ``acr`` is one of these classes (other issuers' tokens;
  gatepass's own carry no ``acr``);
- ``max_age``: at most this many seconds since the token's ``auth_time``, on
  the verifier's clock; a token without ``auth_time`` fails.

``login_is_recent`` is the one place a login's age is judged (the auth
server's own sensitive routes use it too), and ``challenge`` the one place
the refusal's ``WWW-Authenticate`` value is written (RFC 9470 §3):
``Bearer error="insufficient_user_authentication", error_description="...",
acr_values="..."``, ``max_age="N"``, naming what the route needs (both
quoted-strings, as the RFC's own examples write them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from gatepass.errors import ConfigError, InsufficientUserAuthenticationError

__all__ = ["MORE_RECENT", "STRONGER", "StepUp", "challenge", "login_is_recent"]

#: The refusals' messages (fixed text: they go into a quoted-string as they are).
STRONGER: Final = "A stronger login is required"
MORE_RECENT: Final = "A more recent login is required"
# A method or class name: printable ASCII without space, quote or backslash, so a
# quoted-string holds it unescaped (RFC 9110 §5.6.4) and a list splits on spaces.
_NAME: Final = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]{1,64}")


def login_is_recent(auth_time: object, *, max_age: int, now: float) -> bool:
    """Whether a login at ``auth_time`` (seconds; None: not known) is at most ``max_age`` old."""
    if not isinstance(auth_time, int | float) or isinstance(auth_time, bool):
        return False
    return now - auth_time <= max_age


def _names(given: Iterable[str] | None, what: str) -> tuple[str, ...]:
    if given is None:
        return ()
    if isinstance(given, str):
        raise TypeError(f"{what} is a list of names, not one string")
    names = tuple(dict.fromkeys(given))
    if not all(isinstance(n, str) and _NAME.fullmatch(n) for n in names):
        raise ConfigError(f"{what} values are printable names without spaces or quotes")
    return names


@dataclass(frozen=True, slots=True)
class StepUp:
    """What the login behind a token must have been (see the module docstring)."""

    amr: frozenset[str] = frozenset()
    acr: tuple[str, ...] = ()  # in the route's order of preference, as the challenge says
    max_age: int | None = None

    @classmethod
    def of(
        cls,
        amr: Iterable[str] | None = None,
        acr: Iterable[str] | None = None,
        max_age: int | None = None,
    ) -> StepUp:
        if max_age is not None and (
            not isinstance(max_age, int) or isinstance(max_age, bool) or max_age < 0
        ):
            raise ConfigError("max_age is a whole number of seconds, 0 or more")
        return cls(frozenset(_names(amr, "amr")), _names(acr, "acr"), max_age)

    @property
    def demands(self) -> bool:
        return bool(self.amr or self.acr) or self.max_age is not None

    def check(self, claims: Mapping[str, Any], now: float) -> None:
        """Nothing when the claims meet every requirement; InsufficientUserAuthenticationError
        naming all of them (what the client must get in one new login) otherwise."""
        if not self.demands:
            return
        if not self._strong_enough(claims):
            raise self._refusal(STRONGER)
        if self.max_age is not None and not login_is_recent(
            claims.get("auth_time"), max_age=self.max_age, now=now
        ):
            raise self._refusal(MORE_RECENT)

    def _strong_enough(self, claims: Mapping[str, Any]) -> bool:
        if self.amr:
            methods = claims.get("amr")
            if not isinstance(methods, list) or not self.amr <= {
                m for m in methods if isinstance(m, str)
            }:
                return False
        return not self.acr or claims.get("acr") in self.acr

    def _refusal(self, message: str) -> InsufficientUserAuthenticationError:
        return InsufficientUserAuthenticationError(
            message, max_age=self.max_age, acr_values=self.acr
        )


def challenge(error: InsufficientUserAuthenticationError) -> str:
    """The ``WWW-Authenticate`` value of ``error`` (RFC 9470 §3)."""
    parts = [
        'error="insufficient_user_authentication"',
        f'error_description="{error.message}"',
    ]
    if error.acr_values:
        parts.append(f'acr_values="{" ".join(error.acr_values)}"')
    if error.max_age is not None:
        parts.append(f'max_age="{error.max_age}"')
    return "Bearer " + ", ".join(parts)
