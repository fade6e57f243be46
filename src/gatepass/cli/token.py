"""``gatepass token decode|verify|audit|sign``.

The token comes from the command line or, with ``-``, from stdin: a token on
the command line lands in the shell history, so prefer ``-`` for real ones.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import orjson
import typer

from gatepass.cli.audit import audit, has_high
from gatepass.cli.inspect import Inspection, decrypt_token, inspect_token
from gatepass.cli.keysource import algorithms_for, fetch_jwks, key_from_file, secret_from_env
from gatepass.cli.output import console, emit_json, safe
from gatepass.cli.runtime import EXIT_INVALID, current_time, fail, guarded, read_stdin
from gatepass.cli.tokenview import findings_json, inspection_json, show_findings, show_inspection
from gatepass.envparse import parse_duration
from gatepass.errors import InvalidKeyError, JoseError, MalformedTokenError
from gatepass.jose import Key, KeySet, Verifier, encode

__all__ = ["token_app"]

token_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="Inspect, verify, audit and sign JWTs."
)

TOKEN_HELP = "The token, or - to read it from stdin (argv lands in shell history)."
JSON_HELP = "Print JSON only (stable keys)."
KEY_HELP = "a JWK, JWKS or PEM file"
DECRYPT_KEY: Any = typer.Option(None, "--key", help=f"Decrypt a JWE with {KEY_HELP}.")
VERIFY_KEY: Any = typer.Option(None, "--key", help=f"Verify with {KEY_HELP}.")
SIGN_KEY: Any = typer.Option(None, "--key", help="Sign with this private JWK or PEM file.")
ALLOWED_ALGS: Any = typer.Option(
    None, "--alg", help="Allowed algorithm (repeatable); default: what the keys can do."
)
# The algorithm ``sign`` picks when neither --alg nor the key names one.
_PREFERRED = ("EdDSA", "ES256", "ES384", "ES512", "RS256", "HS256")


def _token(value: str) -> str:
    token = read_stdin("token") if value == "-" else value.strip()
    if not token:
        fail("usage: the token is empty")
    return token


def _inspect(value: str, key: Path | None) -> Inspection:
    """Read the token (decrypting a JWE when a key is given); bad input exits 2."""
    raw = _token(value)
    inspection = inspect_token(raw)
    if key is not None and inspection.kind == "jwe":
        inspection = decrypt_token(raw, key_from_file(key))
    return inspection


@token_app.command("decode")
@guarded
def decode(
    token: str = typer.Argument(..., help=TOKEN_HELP),
    key: Path | None = DECRYPT_KEY,
    json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Show a token's parts, header and payload WITHOUT verifying it."""
    inspection = _inspect(token, key)
    now = current_time()
    findings = audit(inspection, now)
    if json:
        emit_json(inspection_json(inspection, findings, now))
    else:
        show_inspection(inspection, findings, now)


@token_app.command("audit")
@guarded
def audit_command(
    token: str = typer.Argument(..., help=TOKEN_HELP),
    key: Path | None = DECRYPT_KEY,
    json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Check a token for the common JWT mistakes; exit 1 on a high-severity finding."""
    inspection = _inspect(token, key)
    findings = audit(inspection, current_time())
    if json:
        emit_json({"findings": findings_json(findings), "high": has_high(findings)})
    else:
        show_findings(findings)
    if has_high(findings):
        raise typer.Exit(EXIT_INVALID)


def _verification_keys(jwks: str | None, key: Path | None, secret_env: str | None) -> Key | KeySet:
    given = [source for source in (jwks, key, secret_env) if source is not None]
    if len(given) != 1:
        fail("usage: give exactly one of --jwks URL, --key FILE or --secret-env VAR")
    if jwks is not None:
        return fetch_jwks(jwks)
    if key is not None:
        return key_from_file(key)
    assert secret_env is not None
    return secret_from_env(secret_env)


@token_app.command("verify")
@guarded
def verify(
    token: str = typer.Argument(..., help=TOKEN_HELP),
    jwks: str | None = typer.Option(None, "--jwks", help="A JWKS URL (or file) to verify with."),
    key: Path | None = VERIFY_KEY,
    secret_env: str | None = typer.Option(
        None, "--secret-env", help="Verify HS256 with the secret in this environment variable."
    ),
    iss: str | None = typer.Option(None, "--iss", help="Require this issuer."),
    aud: str | None = typer.Option(None, "--aud", help="Require this audience."),
    typ: str | None = typer.Option(None, "--typ", help="Require this header typ (e.g. at+jwt)."),
    alg: list[str] | None = ALLOWED_ALGS,
    leeway: float = typer.Option(0, "--leeway", min=0, help="Clock leeway in seconds."),
    at: float | None = typer.Option(None, "--at", help="Verify as of this epoch time."),
    json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Verify signature and claims; exit 0 when valid, else print the error code and exit 1."""
    # NaN compares false with every exp and nbf, and an infinite leeway accepts any
    # time: either would make an expired token "valid".
    if not math.isfinite(leeway) or (at is not None and not math.isfinite(at)):
        fail("usage: --at and --leeway must be finite numbers of seconds")
    raw = _token(token)
    keys = _verification_keys(jwks, key, secret_env)
    allowed = alg or (["HS256"] if secret_env is not None else algorithms_for(keys))
    verifier = Verifier(
        keys,
        algorithms=allowed,
        issuer=iss,
        audience=aud,
        typ=typ,
        leeway=leeway,
        clock=(lambda: at) if at is not None else current_time,
    )
    try:
        if raw.count(".") == 4:
            raise MalformedTokenError("The token is a JWE: decrypt it first (token decode --key)")
        header, claims = verifier.decode_complete(raw)
    except JoseError as exc:
        if json:
            emit_json({"valid": False, "error": exc.code, "message": exc.message})
        else:
            typer.echo(f"invalid: {exc.code}: {exc.message}")
        raise typer.Exit(EXIT_INVALID) from None
    if json:
        emit_json({"valid": True, "header": header, "claims": claims})
    else:
        kid = f", kid {safe(header['kid'])}" if "kid" in header else ""
        typer.echo(f"valid: signed with {header['alg']}{kid}")


def _claims(value: str) -> dict[str, Any]:
    text = read_stdin("claims") if value == "-" else value
    try:
        claims = orjson.loads(text)
    except orjson.JSONDecodeError:
        fail("invalid_claims: --claims must be a JSON object")
    if not isinstance(claims, dict):
        fail("invalid_claims: --claims must be a JSON object")
    for name in ("exp", "iat", "nbf"):
        given = claims.get(name, 0)
        if isinstance(given, bool) or not isinstance(given, int | float):
            fail(f"invalid_claims: {name} must be a number of seconds since the epoch")
    return claims


def _signing_key(key: Path | None, secret_env: str | None) -> Key:
    if (key is None) == (secret_env is None):
        fail("usage: give exactly one of --key FILE or --secret-env VAR")
    if secret_env is not None:
        return secret_from_env(secret_env)
    assert key is not None
    found = key_from_file(key)
    if isinstance(found, KeySet):
        if len(found) != 1:
            held = "no usable key" if len(found) == 0 else f"{len(found)} keys"
            fail(f"usage: the key file holds {held}; give a file with one JWK")
        (found,) = found
    if not found.is_private and found.kty != "oct":
        raise InvalidKeyError("Signing needs a private key")
    return found


@token_app.command("sign")
@guarded
def sign(
    claims: str = typer.Option(
        ..., "--claims", help="The claims as a JSON object, or - for stdin."
    ),
    key: Path | None = SIGN_KEY,
    secret_env: str | None = typer.Option(
        None, "--secret-env", help="Sign HS256 with the secret in this environment variable."
    ),
    ttl: str = typer.Option("15m", "--ttl", help="Lifetime when the claims hold no exp."),
    alg: str | None = typer.Option(None, "--alg", help="Algorithm (default: the key's own)."),
    typ: str = typer.Option("JWT", "--typ", help="Header typ (e.g. at+jwt)."),
) -> None:
    """Sign claims as a JWT; adds iat, and exp from --ttl unless the claims hold one."""
    payload = _claims(claims)
    signing = _signing_key(key, secret_env)
    lifetime = parse_duration(ttl, "--ttl")
    if lifetime < 1:
        fail("usage: --ttl must be positive")
    now = int(current_time())
    payload.setdefault("iat", now)
    payload.setdefault("exp", now + lifetime)
    usable = algorithms_for(signing)
    chosen = alg or next((a for a in _PREFERRED if a in usable), usable[0])
    headers = {"typ": typ, "kid": signing.kid}
    typer.echo(encode(payload, signing, chosen, headers=headers))
    if payload["exp"] - now > 3600:
        console(stderr=True).print("warning: the token lives over an hour")
