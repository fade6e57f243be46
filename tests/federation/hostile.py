"""A provider that says whatever a test tells it to: discovery, JWKS and a token endpoint
as an ASGI app, reached by gatepass through ``create_app(provider_http=...)``."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gatepass.jose import Key, jws

ISSUER = "http://127.0.0.1:4444/realm"
CLIENT_ID = "gatepass"
CLIENT_SECRET = "the-client-secret-of-the-hostile-tests-0123456789"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class Hostile:
    key: Key = field(default_factory=lambda: Key.generate("RS256", kid="good"))
    #: What the token endpoint answers with as id_token (set by each test).
    id_token: str = ""
    token_status: int = 200
    metadata_issuer: str = ISSUER
    down: bool = False
    token_requests: list[dict[str, Any]] = field(default_factory=list)

    def claims(self, nonce: str, /, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "sub": "user-1",
            "aud": CLIENT_ID,
            "exp": now + 300,
            "iat": now,
            "nonce": nonce,
            "email": "mallory@example.com",
            "email_verified": True,
        }
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims: dict[str, Any], key: Key | None = None, alg: str = "RS256") -> str:
        return jws.sign(json.dumps(claims).encode(), key or self.key, alg)

    def unsigned(self, claims: dict[str, Any]) -> str:
        header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        return f"{header}.{b64(json.dumps(claims).encode())}."

    def app(self) -> Starlette:
        async def discovery(request: Request) -> Response:
            if self.down:
                return Response("down", 503)
            return JSONResponse(
                {
                    "issuer": self.metadata_issuer,
                    "authorization_endpoint": f"{ISSUER}/auth",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/jwks",
                    "response_types_supported": ["code"],
                    "code_challenge_methods_supported": ["S256"],
                    # a provider listing HS256 and none: gatepass takes neither
                    "id_token_signing_alg_values_supported": ["RS256", "HS256", "none"],
                    "token_endpoint_auth_methods_supported": ["client_secret_post"],
                }
            )

        async def jwks(request: Request) -> Response:
            return JSONResponse({"keys": [self.key.export_jwk()]})

        async def token(request: Request) -> Response:
            if self.down:
                return Response("<html>stack trace of the provider</html>", 502)
            self.token_requests.append(dict(await request.form()))
            body = {"access_token": "at", "token_type": "Bearer", "id_token": self.id_token}
            return JSONResponse(body, self.token_status)

        return Starlette(
            routes=[
                Route("/realm/.well-known/openid-configuration", discovery),
                Route("/realm/jwks", jwks),
                Route("/realm/token", token, methods=["POST"]),
            ]
        )


def providers_json() -> str:
    return json.dumps(
        [
            {
                "name": "evil",
                "issuer": ISSUER,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            }
        ]
    )
