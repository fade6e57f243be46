"""``Access``: what a route needs (roles, scopes, a login's strength and age), checked
against the ``Principal``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from gatepass.errors import InsufficientScopeError
from gatepass.stepup import StepUp
from gatepass.tokens.principal import Principal

__all__ = ["Access"]


@dataclass(frozen=True, slots=True)
class Access:
    """What a route needs: one of ``roles`` (when given), every one of ``scopes``, and the
    login ``step_up`` asks for (``gatepass.stepup``)."""

    roles: frozenset[str] | None = None
    scopes: frozenset[str] = frozenset()
    step_up: StepUp = field(default_factory=StepUp)

    @classmethod
    def of(
        cls,
        roles: Iterable[str] | None = None,
        scopes: Iterable[str] | None = None,
        *,
        amr: Iterable[str] | None = None,
        acr: Iterable[str] | None = None,
        max_age: int | None = None,
    ) -> Access:
        for given in (roles, scopes):
            if isinstance(given, str):
                raise TypeError("roles and scopes are lists of names, not one string")
        return cls(
            None if roles is None else frozenset(roles),
            frozenset(scopes or ()),
            StepUp.of(amr, acr, max_age),
        )

    def check(self, principal: Principal, now: float) -> Principal:
        """``principal`` when it has the access; InsufficientScopeError (403) without the
        role or a scope, InsufficientUserAuthenticationError (401) when the login falls short.

        Roles and scopes come first: a caller without them gains nothing by logging in again.
        """
        if self.roles is not None and principal.role not in self.roles:
            raise InsufficientScopeError()
        if not self.scopes <= principal.scopes:
            raise InsufficientScopeError()
        self.step_up.check(principal.claims, now)
        return principal
