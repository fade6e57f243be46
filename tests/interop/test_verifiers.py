"""Every mainstream verifier, pointed at gatepass's JWKS, accepts its tokens.

One real ``gatepass serve`` per signing algorithm (ES256, RS256, PS256,
EdDSA). Each library verifies the access token with the signature, ``iss``,
``aud`` and ``exp`` checks it documents, or, where ``SUPPORTED`` says it cannot
handle that algorithm, is shown to refuse it. Forged tokens (claims changed,
signature broken, a stranger's key under the server's ``kid``) are refused by
all of them.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.interop.conftest import AUDIENCE, Issued, node_script
from tests.interop.verifiers import ALL, PYTHON_VERIFIERS, SUPPORTED, UNSUPPORTED, Expected

NODE_VERIFIERS = {"node jose": "jose", "node jsonwebtoken": "jsonwebtoken"}


def _expected(issued: Issued) -> Expected:
    # Configured as a resource server would be: every algorithm gatepass may use.
    return Expected(issued.jwks_uri, issued.issuer, AUDIENCE, tuple(sorted(ALL)))


@pytest.fixture(scope="module")
def node_results(issued: Issued) -> dict[str, dict[str, Any]]:
    """What node's verifiers said about the good token and each forgery (one node run)."""
    tokens = {"good": issued.access_token, **issued.forged}
    payload = {
        "jwks_uri": issued.jwks_uri,
        "issuer": issued.issuer,
        "audience": AUDIENCE,
        "tokens": tokens,
    }
    results: dict[str, dict[str, Any]] = node_script("verify.mjs", payload)
    return {library: results[name] for library, name in NODE_VERIFIERS.items()}


def test_the_table_covers_every_library() -> None:
    assert set(SUPPORTED) == set(PYTHON_VERIFIERS) | set(NODE_VERIFIERS)
    assert all(algs <= ALL for algs in SUPPORTED.values())
    # The default algorithm is one every library verifies.
    assert all("ES256" in algs for algs in SUPPORTED.values())


@pytest.mark.parametrize("library", PYTHON_VERIFIERS)
def test_python_verifiers(issued: Issued, library: str) -> None:
    verify = PYTHON_VERIFIERS[library]
    if issued.alg in SUPPORTED[library]:
        assert verify(issued.access_token, _expected(issued)) == issued.subject
    else:
        with pytest.raises(Exception, match=UNSUPPORTED[library]):
            verify(issued.access_token, _expected(issued))


@pytest.mark.parametrize("library", PYTHON_VERIFIERS)
def test_python_verifiers_refuse_forgeries(issued: Issued, library: str) -> None:
    for forged in issued.forged.values():
        with pytest.raises(Exception):  # each library raises its own errors
            PYTHON_VERIFIERS[library](forged, _expected(issued))


@pytest.mark.parametrize("library", NODE_VERIFIERS)
def test_node_verifiers(
    issued: Issued, node_results: dict[str, dict[str, Any]], library: str
) -> None:
    good = node_results[library]["good"]
    if issued.alg in SUPPORTED[library]:
        assert good["ok"] is True, good
        assert good["sub"] == issued.subject
        assert good.get("alg", issued.alg) == issued.alg  # jose reports the header's alg
    else:
        assert good["ok"] is False
        assert UNSUPPORTED[library] in good["error"]


@pytest.mark.parametrize("library", NODE_VERIFIERS)
def test_node_verifiers_refuse_forgeries(
    issued: Issued, node_results: dict[str, dict[str, Any]], library: str
) -> None:
    for name in issued.forged:
        assert node_results[library][name]["ok"] is False, name
