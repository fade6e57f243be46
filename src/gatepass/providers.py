"""The configured sign-in providers: ``GATEPASS_OIDC_PROVIDERS`` (a JSON list) or a file.

Each entry is ``{"name", "issuer", "client_id", "client_secret", "scopes"}``.
``name`` (1-32 lowercase letters, digits, ``-``) is the provider's path
segment and what identities are stored under. A preset fills what an entry
leaves out: an entry named ``google``, ``microsoft`` or ``github`` (or with
``"preset"``) needs only its client id and secret (``microsoft`` also its
``tenant``, a directory's id). GitHub is plain OAuth 2.0: no discovery, no
id_token; who signed in comes from its user API (``/user``, ``/user/emails``).

The client secret is a ``Secret`` (redacted in every ``repr``). Entries are
checked when the settings are made: a bad one is a ``ConfigError`` naming the
entry, never its secret.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from gatepass.errors import ConfigError
from gatepass.secret import Secret

__all__ = [
    "PRESETS",
    "GitHubEndpoints",
    "Provider",
    "all_providers",
    "parse_providers",
    "read_providers_file",
]

Kind = Literal["oidc", "github"]
_NAME: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
# A Microsoft directory (tenant) id: the issuer its id_tokens carry names it.
_TENANT: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_KEYS: Final = frozenset(
    {"name", "preset", "issuer", "client_id", "client_secret", "scopes", "tenant", "label"}
)


@dataclass(frozen=True, slots=True)
class GitHubEndpoints:
    """Where GitHub's OAuth 2.0 and user API live (a GitHub Enterprise server elsewhere)."""

    authorize: str = "https://github.com/login/oauth/authorize"
    token: str = "https://github.com/login/oauth/access_token"
    api: str = "https://api.github.com"


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    kind: Kind
    client_id: str
    client_secret: Secret  # its own repr redacts it
    scopes: tuple[str, ...]
    #: The OpenID issuer (``kind == "oidc"``); discovery is at ``issuer/.well-known/...``.
    issuer: str = ""
    #: What the console's button says.
    label: str = ""
    github: GitHubEndpoints = field(default=GitHubEndpoints(), repr=False)


@dataclass(frozen=True, slots=True)
class _Preset:
    kind: Kind
    label: str
    issuer: str = ""
    scopes: tuple[str, ...] = ("openid", "email", "profile")


PRESETS: Final[Mapping[str, _Preset]] = {
    "google": _Preset("oidc", "Google", "https://accounts.google.com"),
    "microsoft": _Preset("oidc", "Microsoft", "https://login.microsoftonline.com/{tenant}/v2.0"),
    "github": _Preset("github", "GitHub", scopes=("read:user", "user:email")),
}


def parse_providers(raw: str, variable: str) -> tuple[Provider, ...]:
    """The providers of a JSON list (``GATEPASS_OIDC_PROVIDERS`` or the file's text)."""
    try:
        entries = json.loads(raw)
    except ValueError:
        raise ConfigError(f"{variable} must be a JSON list of provider objects") from None
    if not isinstance(entries, list):
        raise ConfigError(f"{variable} must be a JSON list of provider objects")
    providers = tuple(_provider(entry, variable, n) for n, entry in enumerate(entries))
    names = [p.name for p in providers]
    if len(set(names)) != len(names):
        raise ConfigError(f"{variable}: two providers have one name")
    return providers


def read_providers_file(path: str, variable: str) -> tuple[Provider, ...]:
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except OSError:
        raise ConfigError(f"{variable} cannot be read") from None
    return parse_providers(text, variable)


def all_providers(
    entries: object, path: str | None, return_origins: tuple[str, ...]
) -> tuple[Provider, ...]:
    """``GATEPASS_OIDC_PROVIDERS``' providers, then the file's, checked together
    (with ``GATEPASS_OIDC_RETURN_ORIGINS``) when the settings are made."""
    if not isinstance(entries, tuple) or not all(isinstance(p, Provider) for p in entries):
        raise ConfigError("GATEPASS_OIDC_PROVIDERS must be a tuple of providers")
    more = () if path is None else read_providers_file(path, "GATEPASS_OIDC_PROVIDERS_FILE")
    both = (*entries, *more)
    if len({p.name for p in both}) != len(both):
        raise ConfigError("GATEPASS_OIDC_PROVIDERS and its file name one provider twice")
    for origin in return_origins:
        if not re.fullmatch(r"https?://[^\s/?#@]+", origin):
            raise ConfigError(
                "GATEPASS_OIDC_RETURN_ORIGINS must be origins like https://app.example"
            )
    return both


def _provider(entry: object, variable: str, index: int) -> Provider:
    where = f"{variable}[{index}]"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be an object")
    unknown = set(entry) - _KEYS
    if unknown:
        raise ConfigError(f"{where} has unknown members: {', '.join(sorted(map(str, unknown)))}")
    name = _text(entry, "name", where)
    if not _NAME.fullmatch(name):
        raise ConfigError(f"{where}.name must be 1-32 lowercase letters, digits or '-'")
    preset_name = entry.get("preset", name if name in PRESETS else None)
    if preset_name is not None and preset_name not in PRESETS:
        raise ConfigError(f"{where}.preset must be one of: {', '.join(PRESETS)}")
    preset = PRESETS[preset_name] if preset_name else _Preset("oidc", name)
    issuer = entry.get("issuer", preset.issuer)
    if preset_name == "microsoft" and "issuer" not in entry:
        tenant = _text(entry, "tenant", where)
        if not _TENANT.fullmatch(tenant):
            raise ConfigError(f"{where}.tenant must be a directory (tenant) id")
        issuer = preset.issuer.format(tenant=tenant)
    if preset.kind == "oidc" and (not isinstance(issuer, str) or not issuer):
        raise ConfigError(f"{where}.issuer is required")
    scopes = entry.get("scopes", list(preset.scopes))
    if not isinstance(scopes, list) or not all(
        isinstance(s, str) and s and " " not in s for s in scopes
    ):
        raise ConfigError(f"{where}.scopes must be a list of scope names")
    if preset.kind == "oidc" and "openid" not in scopes:
        scopes = ["openid", *scopes]
    label = entry.get("label", preset.label)
    if not isinstance(label, str) or not 0 < len(label) <= 64:
        raise ConfigError(f"{where}.label must be a short text")
    return Provider(
        name=name,
        kind=preset.kind,
        client_id=_text(entry, "client_id", where),
        client_secret=Secret(_text(entry, "client_secret", where)),
        scopes=tuple(scopes),
        issuer=issuer if isinstance(issuer, str) else "",
        label=label,
    )


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}.{key} must be a non-empty string")
    return value
