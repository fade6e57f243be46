"""``Expectations``: everything a verified JWT must satisfy besides its key, as one value.

``jwt.decode``'s keyword arguments, named the same (``algorithms``,
``issuer``, ``audience``, ``subject``, ``typ``, ``leeway``, ``required``,
``max_age``, ``crit``) plus the ``clock`` the times are judged by and the
``limits`` the token is read within. ``jwt.Verifier``,
``jwe.nested.decrypt_then_verify`` and ``tokens.verify.AccessVerifier`` take
one; ``jwt.decode`` builds one from its arguments. Collections are kept as
tuples, so a value can be shared and hashed; wrong types are left as given
for the verifier to refuse with a ``TypeError`` naming the argument.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from gatepass.clock import Clock  # seconds since the epoch; None: time.time, at each call
from gatepass.jose.claims import Expected
from gatepass.jose.limits import DEFAULT_LIMITS, Limits

__all__ = ["Clock", "Expectations"]

T = TypeVar("T")


def _frozen(value: T) -> T:
    """A list, set or generator of names as a tuple; anything else as it is."""
    if isinstance(value, list | set | frozenset) or (
        isinstance(value, Iterable) and not isinstance(value, str | bytes | tuple | Collection)
    ):
        return tuple(value)  # type: ignore[return-value]
    return value


@dataclass(frozen=True, slots=True)
class Expectations:
    """What ``decode`` checks, resolved by a ``Verifier`` once (see the module docstring).

    The field order is ``decode``'s own; ``algorithms`` has no default (an
    explicit allow-list is required), and asking for an ``issuer`` or
    ``audience`` makes the claim required.
    """

    algorithms: Collection[str] | str | None
    issuer: Expected = None
    audience: Expected = None
    subject: str | None = None
    typ: str | None = None
    leeway: float | timedelta = 0
    required: Iterable[str] = ()
    max_age: float | timedelta | None = None
    clock: Clock | None = None
    crit: Collection[str] = ()
    limits: Limits = DEFAULT_LIMITS

    def __post_init__(self) -> None:
        for name in ("algorithms", "issuer", "audience", "required", "crit"):
            value: Any = getattr(self, name)
            frozen = _frozen(value)
            if frozen is not value:
                object.__setattr__(self, name, frozen)

    @property
    def leeway_seconds(self) -> float:
        """``leeway`` as a number of seconds."""
        leeway = self.leeway
        return leeway.total_seconds() if isinstance(leeway, timedelta) else float(leeway)
