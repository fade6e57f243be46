"""``Access``: what a route needs (roles, scopes), checked against the ``Principal``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gatepass.errors import InsufficientScopeError
from gatepass.tokens.principal import Principal

__all__ = ["Access"]


@dataclass(frozen=True, slots=True)
class Access:
    """What a route needs: one of ``roles`` (when given) and every one of ``scopes``."""

    roles: frozenset[str] | None = None
    scopes: frozenset[str] = frozenset()

    @classmethod
    def of(cls, roles: Iterable[str] | None = None, scopes: Iterable[str] | None = None) -> Access:
        for given in (roles, scopes):
            if isinstance(given, str):
                raise TypeError("roles and scopes are lists of names, not one string")
        return cls(
            None if roles is None else frozenset(roles),
            frozenset(scopes or ()),
        )

    def check(self, principal: Principal) -> Principal:
        """``principal`` when it has the access; InsufficientScopeError otherwise."""
        if self.roles is not None and principal.role not in self.roles:
            raise InsufficientScopeError()
        if not self.scopes <= principal.scopes:
            raise InsufficientScopeError()
        return principal
