"""gatepass servers on real sockets, one per signing algorithm, and node's verifiers.

The servers run in process (uvicorn in a thread, on a free port) so that four
of them start in well under a second; ``test_rotation`` uses a real
``gatepass serve`` and the real ``gatepass keys rotate``.

The node packages (``jose``, ``jsonwebtoken``, ``jwks-rsa``, ``oauth4webapi``, and
``oidc-provider`` for tests/federation)
are pinned by ``package-lock.json`` and installed by ``scripts/test`` with
``npm ci``; without them (or without node) these tests skip, except under
``CI=true`` where they fail.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from gatepass.jose import Key, decode_unverified, encode
from gatepass.server import create_app
from gatepass.settings import Settings
from gatepass.tokens.keyring import SIGNING_ALGORITHMS
from tests.protect.helpers import free_port, running
from tests.services import missing

HERE = Path(__file__).resolve().parent
PASSWORD = "correct horse battery"
AUDIENCE = "gatepass"


@dataclass(frozen=True)
class Issued:
    """A server signing with ``alg``, and tokens it issued (or that only look like it)."""

    alg: str
    url: str
    issuer: str
    jwks_uri: str
    subject: str
    access_token: str
    refresh_token: str
    #: Tokens every verifier must refuse, by what is wrong with them.
    forged: Mapping[str, str]


def node_modules() -> Path:
    """tests/interop/node_modules, as ``npm ci`` made it; skip (fail under CI) without it."""
    installed = HERE / "node_modules"
    if not (installed / "jose").is_dir():
        missing("tests/interop/node_modules is missing (npm ci --prefix tests/interop)")
    return installed


def node_script(script: str, payload: Mapping[str, Any], timeout: float = 60) -> Any:
    """Run ``tests/interop/<script>`` with ``payload`` as JSON on stdin; its JSON stdout."""
    node = shutil.which("node")
    if node is None:
        missing("node is not installed")
    node_modules()
    result = subprocess.run(
        [node, str(HERE / script)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def login(base: str, email: str = "ada@example.com") -> dict[str, Any]:
    """Register (if needed) and log in on a served gatepass; the token response."""
    with httpx.Client(base_url=base, timeout=10) as client:
        client.post("/auth/register", json={"email": email, "password": PASSWORD})
        reply = client.post("/auth/login", json={"email": email, "password": PASSWORD})
        assert reply.status_code == 200, reply.text
        tokens: dict[str, Any] = reply.json()
        return tokens


def forgeries(token: str, alg: str) -> dict[str, str]:
    """The token altered three ways: claims changed, signature broken, signed by a stranger."""
    header64, payload64, signature64 = token.split(".")
    header, claims = decode_unverified(token)
    escalated = encode({**claims, "role": "admin"}, Key.generate(alg), headers=dict(header))
    flipped = ("A" if signature64[0] != "A" else "B") + signature64[1:]
    stranger = Key.generate(alg, kid=header["kid"])  # the server's kid, another key
    return {
        "claims-changed": f"{header64}.{escalated.split('.')[1]}.{signature64}",
        "signature-broken": f"{header64}.{payload64}.{flipped}",
        "stranger-key": encode(claims, stranger, headers=dict(header)),
    }


@contextmanager
def in_process(**settings: Any) -> Iterator[str]:
    """A gatepass server on a memory store and a free port, its URL its issuer."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(Settings(issuer=url, database_url="memory://", **settings))
    with running(app, port=port, lifespan="on") as base:
        yield base


@pytest.fixture(scope="module", params=SIGNING_ALGORITHMS)
def issued(request: pytest.FixtureRequest) -> Iterator[Issued]:
    alg: str = request.param
    with in_process(signing_alg=alg) as url:
        metadata = httpx.get(f"{url}/.well-known/oauth-authorization-server").json()
        tokens = login(url)
        _, claims = decode_unverified(tokens["access_token"])
        yield Issued(
            alg=alg,
            url=url,
            issuer=metadata["issuer"],
            jwks_uri=metadata["jwks_uri"],
            subject=claims["sub"],
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
            forged=forgeries(tokens["access_token"], alg),
        )
