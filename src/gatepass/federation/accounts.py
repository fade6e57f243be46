"""``ProviderAccount``: who a provider says signed in, as the linking rule reads it (pure).

The ``amr`` an id_token carries is kept only for the RFC 8176 registered
values (how the user proved themselves at the provider: ``pwd``, ``otp``,
``mfa``, ``hwk``, ...); anything else is dropped rather than repeated in
gatepass's own tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from gatepass.errors import FederationTokenError

__all__ = ["RFC8176_AMR", "ProviderAccount", "account_from_claims"]

#: The Authentication Method Reference values RFC 8176 §2 registers.
RFC8176_AMR: Final = frozenset(
    {
        "face", "fpt", "geo", "hwk", "iris", "kba", "mca", "mfa", "otp", "pin", "pop",
        "pwd", "rba", "retina", "sc", "sms", "swk", "tel", "user", "vbm", "wia",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ProviderAccount:
    provider: str
    subject: str
    email: str | None
    #: True only when the provider said so in as many words (``email_verified: true``).
    email_verified: bool
    amr: tuple[str, ...] = ()


def account_from_claims(provider: str, claims: Mapping[str, Any]) -> ProviderAccount:
    """The account an id_token (or userinfo answer with the same ``sub``) names."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not 0 < len(subject) <= 255:
        raise FederationTokenError()
    email = claims.get("email")
    amr = claims.get("amr")
    listed = amr if isinstance(amr, list) else []
    return ProviderAccount(
        provider=provider,
        subject=subject,
        email=email if isinstance(email, str) and email else None,
        email_verified=claims.get("email_verified") is True,
        amr=tuple(dict.fromkeys(a for a in listed if isinstance(a, str) and a in RFC8176_AMR)),
    )
