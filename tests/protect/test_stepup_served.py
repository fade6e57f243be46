"""Step-up from outside: a FastAPI API guarded by ``require(amr=["otp"])`` and the real
``gatepass serve`` it trusts (its JWKS over HTTP), pyotp as the authenticator app.

A password-only token is refused with RFC 9470's challenge; the token that
``/mfa/verify`` answers after a code passes.
"""

import time
from pathlib import Path
from typing import Annotated

import httpx
import pyotp
from fastapi import Depends, FastAPI

from gatepass.jose import decode_unverified
from gatepass.protect import Authenticator, JWKSClient, Principal
from tests.serving import serve

CREDS = {"email": "ada@example.com", "password": "correct horse battery"}
CHALLENGE = (
    'Bearer error="insufficient_user_authentication", '
    'error_description="A stronger login is required"'
)


def api(auth: Authenticator) -> FastAPI:
    app = FastAPI(lifespan=auth.lifespan)
    auth.install(app)

    @app.get("/payouts")
    async def payouts(
        user: Annotated[Principal, Depends(auth.require(amr=["otp"]))],
    ) -> dict[str, str]:
        return {"sub": user.sub}

    return app


async def test_otp_route_refuses_a_password_login_and_takes_the_mfa_one(tmp_path: Path) -> None:
    env = {"GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gatepass.db'}"}
    with serve(env, tmp_path) as served:
        async with httpx.AsyncClient(base_url=served.url, timeout=15) as gatepass:
            assert (await gatepass.post("/auth/register", json=CREDS)).status_code == 201
            password_only = (await gatepass.post("/auth/login", json=CREDS)).json()
            bearer = {"Authorization": f"Bearer {password_only['access_token']}"}
            setup = (await gatepass.post("/auth/mfa/totp/setup", headers=bearer)).json()
            app = pyotp.TOTP(setup["secret"])
            confirm = {"code": app.at(time.time())}
            confirmed = await gatepass.post("/auth/mfa/totp/confirm", json=confirm, headers=bearer)
            assert confirmed.status_code == 200, confirmed.text
            first = (await gatepass.post("/auth/login", json=CREDS)).json()
            # The confirming code's step is spent: the next step's code (drift allowed).
            verify = {"mfa_token": first["mfa_token"], "code": app.at(time.time() + 30)}
            stepped_up = await gatepass.post("/auth/mfa/verify", json=verify)
            assert stepped_up.status_code == 200, stepped_up.text

        jwks = JWKSClient(f"{served.url}/.well-known/jwks.json", allow_insecure_loopback=True)
        auth = Authenticator(issuer=served.url, audience="gatepass", jwks_client=jwks)
        guarded = api(auth)
        transport = httpx.ASGITransport(app=guarded)
        async with (
            guarded.router.lifespan_context(guarded),
            httpx.AsyncClient(transport=transport, base_url="https://api.test") as client,
        ):
            refused = await client.get("/payouts", headers=bearer)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"] == CHALLENGE
            assert refused.json() == {
                "error": "insufficient_user_authentication",
                "message": "A stronger login is required",
            }
            token = stepped_up.json()["access_token"]
            taken = await client.get("/payouts", headers={"Authorization": f"Bearer {token}"})
            assert taken.status_code == 200, taken.text
            _, claims = decode_unverified(password_only["access_token"])
            assert taken.json() == {"sub": claims["sub"]}
