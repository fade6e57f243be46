"""``gatepass token audit``: the guide's common JWT mistakes as checks with severities.

Pure: an ``Inspection`` and the time in, findings out. ``high`` findings make
the command exit 1. The checks read only what anyone holding the token can
read; a JWE is audited by its header unless it was decrypted with a key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from gatepass.cli.inspect import Inspection, claim_times
from gatepass.jose import ALGORITHMS
from gatepass.jose.sensitive import DEFAULT_SENSITIVE_CLAIMS, is_sensitive

__all__ = ["SEVERITIES", "Finding", "audit", "has_high"]

Severity = Literal["info", "low", "medium", "high"]
SEVERITIES: Final = ("info", "low", "medium", "high")
#: An access token should live minutes; over an hour is the guide's mistake.
MAX_ACCESS_TTL: Final = 3600
#: A cookie holds 4 KiB; many servers refuse headers over 8 KiB.
COOKIE_BYTES: Final = 4096
HEADER_BYTES: Final = 8192
# Claims that are personal data: readable by anyone in a JWS.
_PERSONAL: Final = frozenset(
    {
        "email",
        "phone",
        "phone_number",
        "address",
        "birthdate",
        "dob",
        "name",
        "given_name",
        "family_name",
        "salary",
        "iban",
        "national_id",
        "passport",
        "diagnosis",
    }
)
_CARD: Final = re.compile(r"(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])")
_WEAK_JWE: Final = frozenset({"RSA1_5"})


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    severity: Severity
    message: str


def has_high(findings: list[Finding]) -> bool:
    return any(f.severity == "high" for f in findings)


def _luhn(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, int) and not isinstance(value, bool):
        yield str(value)
    elif depth < 4 and isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item, depth + 1)
    elif depth < 4 and isinstance(value, list):
        for item in value:
            yield from _strings(item, depth + 1)


def _looks_like_card(value: Any) -> bool:
    for text in _strings(value):
        for match in _CARD.finditer(text):
            digits = re.sub(r"\D", "", match.group())
            if 13 <= len(digits) <= 19 and _luhn(digits):
                return True
    return False


def _algorithm(inspection: Inspection) -> Iterator[Finding]:
    alg = inspection.header.get("alg")
    if inspection.kind == "jwe":
        if alg in _WEAK_JWE:
            yield Finding("weak_alg", "high", "RSA1_5 key encryption is broken (Bleichenbacher)")
        if "zip" in inspection.header:
            yield Finding(
                "compressed", "medium", "zip compresses before encrypting: the length can leak"
            )
        return
    if not isinstance(alg, str) or alg.lower() == "none":
        yield Finding("alg_none", "high", "alg is none: the token is not signed at all")
    elif alg not in ALGORITHMS:
        yield Finding("weak_alg", "high", "alg is not a JWS algorithm gatepass accepts")
    elif alg.startswith("HS"):
        yield Finding(
            "shared_secret",
            "low",
            f"{alg} uses a shared secret: every service that verifies can also mint tokens; "
            "prefer EdDSA or ES256 with a JWKS",
        )


def _header(inspection: Inspection) -> Iterator[Finding]:
    header = inspection.header
    signed = inspection.nested.header if inspection.nested is not None else header
    if "kid" not in header:
        yield Finding("missing_kid", "low", "no kid: verifiers cannot pick a key after a rotation")
    if "typ" not in signed:
        yield Finding(
            "missing_typ", "low", "no typ: an access token can be confused with other JWTs"
        )
    elif isinstance(signed.get("typ"), str) and signed["typ"].lower() in ("jwt", "application/jwt"):
        yield Finding("generic_typ", "info", "typ is the generic JWT; at+jwt names an access token")
    size = inspection.size
    if size > HEADER_BYTES:
        yield Finding("oversized", "high", f"{size} bytes: over the 8 KiB many servers accept")
    elif size > COOKIE_BYTES:
        yield Finding("large", "medium", f"{size} bytes: too large for one 4 KiB cookie")


def _lifetime(claims: Mapping[str, Any], now: float) -> Iterator[Finding]:
    times = claim_times(claims)
    if "exp" not in claims:
        yield Finding("no_exp", "high", "no exp: the token is valid forever")
    elif "exp" not in times:
        yield Finding("bad_exp", "high", "exp is not a number of seconds")
    else:
        exp = times["exp"]
        start = times.get("iat", now)
        if exp - start > MAX_ACCESS_TTL:
            hours = (exp - start) / 3600
            yield Finding(
                "long_lived",
                "medium",
                f"lives {hours:.1f} h: an access token should live minutes (15 min is usual)",
            )
        if exp <= now:
            yield Finding("expired", "info", "the token has expired")
    if "iat" in times and times["iat"] > now + 60:
        yield Finding("iat_future", "low", "iat is in the future")


def _claims(claims: Mapping[str, Any], encrypted: bool) -> Iterator[Finding]:
    for name in ("iss", "aud"):
        if name not in claims:
            yield Finding(
                f"missing_{name}",
                "medium",
                f"no {name}: a verifier cannot tell which "
                + ("issuer made it" if name == "iss" else "API it is for"),
            )
    sensitive = sorted(n for n in claims if is_sensitive(str(n), DEFAULT_SENSITIVE_CLAIMS))
    if sensitive and not encrypted:
        yield Finding(
            "sensitive_claim",
            "high",
            f"claims named like secrets ({', '.join(sensitive)}): anyone holding the token "
            "reads them",
        )
    cards = sorted(n for n, v in claims.items() if _looks_like_card(v))
    if cards and not encrypted:
        yield Finding(
            "card_number", "high", f"values that look like card numbers in: {', '.join(cards)}"
        )
    personal = sorted(n for n in claims if str(n).lower() in _PERSONAL)
    if personal and not encrypted:
        yield Finding(
            "jwe_advice",
            "medium",
            f"personal data ({', '.join(personal)}) is readable by anyone holding the token: "
            "leave it out, or encrypt the token (JWE; GATEPASS_ACCESS_TOKEN_ENCRYPTION_KEY)",
        )


def audit(inspection: Inspection, now: float) -> list[Finding]:
    """Every finding, most severe first."""
    findings = [*_algorithm(inspection), *_header(inspection)]
    if inspection.nested is not None:
        findings.extend(_algorithm(inspection.nested))
    claims = inspection.readable_claims
    if claims is not None:
        findings.extend(_lifetime(claims, now))
        findings.extend(_claims(claims, encrypted=inspection.kind == "jwe"))
    elif inspection.kind == "jwe":
        findings.append(
            Finding(
                "encrypted",
                "info",
                "the claims are encrypted: pass --key to audit them (lifetime, iss, aud)",
            )
        )
    else:
        findings.append(
            Finding("not_a_jwt", "medium", "the payload is not a JSON object: not a JWT")
        )
    return sorted(findings, key=lambda f: -SEVERITIES.index(f.severity))
