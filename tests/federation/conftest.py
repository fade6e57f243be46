"""A real ``gatepass serve`` whose only sign-in provider is a local ``oidc-provider``."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.federation.provider import oidc_provider, provider_entry
from tests.serving import GATEPASS, Served, free_port, serve

#: The provider's people: login -> claims.
ACCOUNTS = {
    "alice": {"email": "alice@example.com", "email_verified": True},
    "bob": {"email": "bob@example.com", "email_verified": True},
    "carol": {"email": "carol@example.com", "email_verified": True},
    "dave": {"email": "dave@example.com", "email_verified": False},
    "erin": {"email": "erin@example.com", "email_verified": True},
    "gina": {"email": "gina@example.com", "email_verified": True},
}


@dataclass(frozen=True)
class Federated:
    gatepass: Served
    issuer: str
    workdir: Path
    env: dict[str, str]

    def login_url(self, return_to: str | None = None) -> str:
        url = f"{self.gatepass.url}/auth/oidc/local/login"
        return url if return_to is None else f"{url}?return_to={return_to}"

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        import os

        return subprocess.run(
            [str(GATEPASS), *args],
            cwd=self.workdir,
            env={**os.environ, **self.env},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


def server_env(tmp: Path, port: int, issuer: str) -> dict[str, str]:
    return {
        "GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'gatepass.db'}",
        "GATEPASS_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
        "GATEPASS_ISSUER": f"http://127.0.0.1:{port}",
        "GATEPASS_LOG_LEVEL": "warning",
        # every test of the module signs in from 127.0.0.1: the per-IP login limit
        # (which counts each start and each callback) is tested in test_hostile_provider
        "GATEPASS_LOGIN_LIMIT_PER_IP": "1000",
        "GATEPASS_OIDC_PROVIDERS": provider_entry(issuer),
    }


@pytest.fixture(scope="module")
def federated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federated]:
    tmp = tmp_path_factory.mktemp("federated")
    port = free_port()
    callback = f"http://127.0.0.1:{port}/auth/oidc/local/callback"
    with oidc_provider(tmp, redirect_uris=[callback], accounts=ACCOUNTS) as issuer:
        env = server_env(tmp, port, issuer)
        with serve(env, tmp, name="federated", port=port) as served:
            yield Federated(served, issuer, tmp, env)
