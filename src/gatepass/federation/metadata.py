"""A provider's OpenID discovery document, read strictly (pure: bytes in, metadata out).

The document must be one JSON object whose ``issuer`` is exactly the
configured issuer (OpenID Connect Discovery §4.3: a document that names
another issuer is refused, so a hijacked or mistyped endpoint cannot speak
for someone else), with https endpoints (plain http only on loopback in
development), ``code`` among its response types, and PKCE ``S256`` when it
lists challenge methods at all. The id_token algorithms are those it lists
that gatepass may use with a public key: ``none`` is never one (it is in no
table) and the HMAC ones never are either, so an id_token "signed" with the
client secret is refused whatever the document says.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from gatepass.errors import ConfigError
from gatepass.jose import ALGORITHMS
from gatepass.remote.urls import checked_url

__all__ = ["MetadataRejected", "ProviderMetadata", "id_token_algorithms", "metadata_from_json"]

#: What an id_token may be signed with: every public-key algorithm of the table.
PUBLIC_KEY_ALGORITHMS: Final = frozenset(a for a, spec in ALGORITHMS.items() if spec.kty != "oct")
#: OpenID Connect Discovery §3: RS256 must be supported; a document without the list means it.
_DEFAULT_ALGORITHMS: Final = ("RS256",)
_AUTH_METHODS: Final = ("client_secret_basic", "client_secret_post")


class MetadataRejected(Exception):
    """Why a discovery document is not used, in words gatepass chose (never the body)."""


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    id_token_algorithms: frozenset[str]
    #: ``client_secret_basic`` or ``client_secret_post``: how the code is redeemed.
    token_auth_method: str
    #: Where the claims an id_token leaves out are asked for (None: nowhere).
    userinfo_endpoint: str | None = None


def id_token_algorithms(listed: object) -> frozenset[str]:
    """The listed id_token algorithms gatepass accepts (public-key ones only)."""
    names = _DEFAULT_ALGORITHMS if listed is None else listed
    if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
        raise MetadataRejected("id_token_signing_alg_values_supported is not a list of names")
    usable = frozenset(names) & PUBLIC_KEY_ALGORITHMS
    if not usable:
        raise MetadataRejected("the provider signs id_tokens with no algorithm gatepass accepts")
    return usable


def metadata_from_json(
    body: bytes, *, issuer: str, allow_insecure_loopback: bool
) -> ProviderMetadata:
    try:
        document = json.loads(body, object_pairs_hook=_no_duplicates)
    except (ValueError, UnicodeDecodeError):
        raise MetadataRejected("the answer is not one JSON object without duplicates") from None
    if not isinstance(document, dict):
        raise MetadataRejected("the answer is not a JSON object")
    if document.get("issuer") != issuer:
        raise MetadataRejected("the document names another issuer than the configured one")
    response_types = document.get("response_types_supported", ["code"])
    if not isinstance(response_types, list) or "code" not in response_types:
        raise MetadataRejected("the provider does not offer the authorization code flow")
    challenges = document.get("code_challenge_methods_supported")
    if challenges is not None and (not isinstance(challenges, list) or "S256" not in challenges):
        raise MetadataRejected("the provider does not offer PKCE with S256")

    def endpoint(name: str) -> str:
        value = document.get(name)
        if not isinstance(value, str):
            raise MetadataRejected(f"the document has no {name}")
        try:
            return checked_url(value, what=name, allow_insecure_loopback=allow_insecure_loopback)
        except ConfigError:
            raise MetadataRejected(f"{name} is not an https URL") from None

    return ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=endpoint("authorization_endpoint"),
        token_endpoint=endpoint("token_endpoint"),
        jwks_uri=endpoint("jwks_uri"),
        id_token_algorithms=id_token_algorithms(
            document.get("id_token_signing_alg_values_supported")
        ),
        token_auth_method=_auth_method(document.get("token_endpoint_auth_methods_supported")),
        userinfo_endpoint=endpoint("userinfo_endpoint")
        if "userinfo_endpoint" in document
        else None,
    )


def _auth_method(listed: object) -> str:
    # RFC 8414 §2: absent means client_secret_basic.
    if listed is None:
        return "client_secret_basic"
    if isinstance(listed, list):
        for method in _AUTH_METHODS:
            if method in listed:
                return method
    raise MetadataRejected("the token endpoint takes neither client_secret_basic nor _post")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> Mapping[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate member")
    return dict(pairs)
