"""The public surface is exactly what docs/architecture.md documents."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import gatepass.errors as errors
import gatepass.jose as jose
from gatepass.jose import jwt

ARCHITECTURE = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"

DOCUMENTED_JOSE = {
    "ALGORITHMS",
    "DEFAULT_LIMITS",
    "Algorithm",
    "Key",
    "KeySet",
    "Limits",
    "Verifier",
    "decode",
    "decode_unverified",
    "encode",
    "jws",
    "jwt",
}


def test_jose_exports_exactly_the_documented_names() -> None:
    assert set(jose.__all__) == DOCUMENTED_JOSE
    assert len(jose.__all__) == len(set(jose.__all__))
    for name in jose.__all__:
        assert getattr(jose, name) is not None


def test_documented_import_line_matches() -> None:
    text = ARCHITECTURE.read_text()
    line = re.search(r"from gatepass\.jose import ([^\n]+)", text)
    assert line is not None
    named = {n.strip() for n in line.group(1).split(",")}
    assert named <= DOCUMENTED_JOSE
    contract = text.split("## The JOSE core contract", 1)[1]
    for name in DOCUMENTED_JOSE:
        assert re.search(rf"\b{name}\b", contract), name


def test_errors_all_lists_every_error_class() -> None:
    defined = {
        name
        for name, obj in vars(errors).items()
        if inspect.isclass(obj) and issubclass(obj, errors.GatepassError)
    }
    assert set(errors.__all__) == defined
    assert len(errors.__all__) == len(set(errors.__all__))
    in_tree = set(re.findall(r"\b([A-Z][A-Za-z]+Error)\b", errors.__doc__ or ""))
    assert in_tree == defined


def test_error_codes_match_the_documented_tree() -> None:
    doc = errors.__doc__ or ""
    documented = dict(re.findall(r"([A-Z][A-Za-z]+Error)\s+([a-z_]+)\b", doc))
    assert len(documented) >= 25, "the hierarchy docstring no longer lists the codes"
    for name, code in documented.items():
        assert getattr(errors, name).code == code, name
    leaves = [getattr(errors, n) for n in errors.__all__ if n in documented]
    codes = [cls.code for cls in leaves]
    assert len(codes) == len(set(codes)), "two error classes share a code"
    every = [getattr(errors, n).code for n in errors.__all__]
    assert len(every) == len(set(every)), "two error classes share a code"


def test_jwt_has_pyjwt_call_shape() -> None:
    encode_params = list(inspect.signature(jwt.encode).parameters)
    assert encode_params[:6] == [
        "payload",
        "key",
        "algorithm",
        "headers",
        "json_encoder",
        "sort_headers",
    ]
    # PyJWT 2.x's positional order, exactly (decode_complete swaps subject and issuer, as PyJWT)
    decode_params = list(inspect.signature(jwt.decode).parameters)
    assert decode_params[:10] == [
        "jwt",
        "key",
        "algorithms",
        "options",
        "verify",
        "detached_payload",
        "audience",
        "subject",
        "issuer",
        "leeway",
    ]
    complete_params = list(inspect.signature(jwt.decode_complete).parameters)
    assert complete_params[:10] == [*decode_params[:7], "issuer", "subject", "leeway"]
    assert inspect.signature(jwt.decode).parameters["key"].default == ""
    assert list(inspect.signature(jwt.decode_unverified).parameters)[:1] == ["token"]
    verifier_params = list(inspect.signature(jwt.Verifier).parameters)
    assert verifier_params[:2] == ["key", "algorithms"]
    for name in ("audience", "issuer", "leeway", "options"):
        assert name in verifier_params, name
    assert list(inspect.signature(jwt.Verifier.decode).parameters) == ["self", "token"]
    assert jose.Verifier is jwt.Verifier
    assert (jose.encode, jose.decode) == (jwt.encode, jwt.decode)


PYJWT_FUNCTIONS_AND_CLASSES = {
    "PyJWS",
    "PyJWT",
    "PyJWK",
    "PyJWKSet",
    "PyJWKClient",
    "decode",
    "decode_complete",
    "encode",
    "get_unverified_header",
    "exceptions",
}


def test_jwt_offers_pyjwts_names() -> None:
    # PyJWT's top-level exceptions: all of jwt.exceptions but its own helpers
    pyjwt_errors = set(jwt.exceptions.__all__) - {"as_pyjwt", "MissingCryptographyError"}
    assert len(pyjwt_errors) == 18
    gatepass_only = {"DEFAULT_SENSITIVE_CLAIMS", "Verifier", "decode_unverified"}
    assert set(jwt.__all__) == PYJWT_FUNCTIONS_AND_CLASSES | pyjwt_errors | gatepass_only
    for name in jwt.__all__:
        assert getattr(jwt, name) is not None, name
    for name in pyjwt_errors:
        assert getattr(jwt, name) is getattr(jwt.exceptions, name), name
