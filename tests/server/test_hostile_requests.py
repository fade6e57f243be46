"""What an attacker's requests found from outside: each test is one defect, fixed."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import AsyncIterator

import pytest

from gatepass.identity.emails import INVISIBLE
from gatepass.jose import decode_unverified, encode
from gatepass.server.ratelimit import _hit
from gatepass.settings import Secret, Settings
from tests.server.conftest import PASSWORD, Server, start

JSON = {"content-type": "application/json"}


async def test_an_unknown_field_name_is_never_echoed(server: Server) -> None:
    name = "<script>alert(1)</script>" + "x" * 30_000
    reply = await server.client.post(
        "/auth/register", json={"email": "ada@example.com", "password": PASSWORD, name: 1}
    )
    assert reply.status_code == 422
    assert reply.json()["error"] == "invalid_request"
    assert "<script>" not in reply.text
    assert len(reply.text) < 200


async def test_a_streamed_body_over_the_cap_gets_413(server: Server) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"email": "a@b.c", "password": "'
        for _ in range(80):
            yield b"x" * 1024
        yield b'"}'

    reply = await server.client.post("/auth/login", content=chunks(), headers=JSON)
    assert reply.status_code == 413
    assert reply.json() == {
        "error": "payload_too_large",
        "message": "The request body is too large",
    }


async def test_a_streamed_body_under_the_cap_is_read(server: Server) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"email": "ada@example.com",'
        yield b'"password": "' + PASSWORD.encode() + b'"}'

    reply = await server.client.post("/auth/register", content=chunks(), headers=JSON)
    assert reply.status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        b'{"email": "\xff@example.com", "password": "long enough"}',  # not UTF-8
        b'{"email": ' + b"[" * 5000 + b"]" * 5000 + b"}",  # nesting too deep
    ],
)
async def test_unreadable_json_is_422_like_any_malformed_body(server: Server, body: bytes) -> None:
    reply = await server.client.post("/auth/register", content=body, headers=JSON)
    assert reply.status_code == 422
    assert reply.json() == {
        "error": "invalid_request",
        "message": "The request body is not valid JSON",
    }


@pytest.mark.parametrize(
    "email", ["a\x00b@example.com", "ada\x1b@example.com", "\u202emoc.elpmaxe@ada"]
)
async def test_control_and_bidi_characters_are_not_an_email(server: Server, email: str) -> None:
    for path in ("/auth/register", "/auth/login"):
        reply = await server.client.post(path, json={"email": email, "password": PASSWORD})
        assert reply.status_code == 422, path
        assert reply.json() == {"error": "invalid_email", "message": INVISIBLE}


async def test_surrounding_whitespace_is_still_trimmed(server: Server) -> None:
    reply = await server.client.post(
        "/auth/register", json={"email": "\tAda@Example.com \n", "password": PASSWORD}
    )
    assert reply.status_code == 201
    assert reply.json()["email"] == "ada@example.com"


async def test_two_authorization_headers_are_refused(server: Server) -> None:
    tokens = await server.register_and_login()
    good, bad = f"Bearer {tokens['access_token']}", "Bearer junk"
    for pair in ((good, bad), (bad, good)):
        headers = [("authorization", pair[0]), ("authorization", pair[1])]
        reply = await server.client.get("/auth/me", headers=headers)
        assert reply.status_code == 401
        assert reply.json()["error"] == "invalid_token"
        assert reply.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    alone = await server.client.get("/auth/me", headers={"authorization": good})
    assert alone.status_code == 200


class _Stats:
    def __init__(self, reset_time: float) -> None:
        self.reset_time = reset_time


class _Refusing:
    """A limiter that refuses, its window having just slid past (reset in the past)."""

    async def hit(self, *_: object) -> bool:
        return False

    async def get_window_stats(self, *_: object) -> _Stats:
        return _Stats(reset_time=0.0)


async def test_retry_after_is_never_below_one_second() -> None:
    wait = await _hit(_Refusing(), [object()], "login:ip", "127.0.0.1")  # type: ignore[arg-type, list-item]
    assert wait == 1


async def test_the_feed_refuses_two_authorization_headers() -> None:
    token = secrets.token_urlsafe(32)
    async for server in start(Settings(revocation_feed_token=Secret(token))):
        for pair in ((token, "nope"), ("nope", token)):
            headers = [
                ("authorization", f"Bearer {pair[0]}"),
                ("authorization", f"Bearer {pair[1]}"),
            ]
            reply = await server.client.get("/auth/revocations", headers=headers)
            assert reply.status_code == 401
            assert reply.json()["error"] == "invalid_token"
        alone = await server.client.get(
            "/auth/revocations", headers={"authorization": f"Bearer {token}"}
        )
        assert alone.status_code == 200


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("crit", [None, 5, {"x": 1}])
async def test_a_token_header_with_a_null_crit_is_a_401_not_a_500(
    server: Server, crit: object
) -> None:
    # Found by fuzzing: "crit": null passed the header check as absent and then
    # met set(None), a TypeError, for anyone's token, before any signature check.
    token = f"{_b64({'alg': 'EdDSA', 'typ': 'at+jwt', 'crit': crit})}.{_b64({})}.{_b64('x')}"
    for path in ("/dashboard", "/auth/me", "/auth/sessions"):
        reply = await server.client.get(path, headers={"authorization": f"Bearer {token}"})
        assert reply.status_code == 401
        assert reply.json()["error"] == "invalid_token"


@pytest.mark.parametrize("sid", [["a"], 5, None, ""])
async def test_a_signed_token_whose_sid_is_not_a_string_is_a_401(sid: object) -> None:
    # Only the key's holder can sign one (here: a shared HS256 secret), but the
    # server must still answer 401, not 500 (a list reached the store as a key).
    secret = secrets.token_urlsafe(48)
    async for server in start(Settings(jwt_secret=Secret(secret))):
        tokens = await server.register_and_login()
        header, claims = decode_unverified(tokens["access_token"])
        forged = encode({**claims, "sid": sid}, secret, algorithm="HS256", headers=header)
        for path in ("/dashboard", "/auth/me", "/auth/sessions"):
            reply = await server.client.get(path, headers={"authorization": f"Bearer {forged}"})
            assert reply.status_code == 401, path


@pytest.mark.parametrize("path", ["/auth/sessions/", "/auth/me/", "/health/", "/dashboard/"])
async def test_a_trailing_slash_is_not_found_never_a_redirect(server: Server, path: str) -> None:
    tokens = await server.register_and_login()
    headers = {"authorization": f"Bearer {tokens['access_token']}"}
    for method in ("GET", "DELETE"):
        reply = await server.client.request(method, path, headers=headers)
        assert reply.status_code == 404, (method, path)
        assert "location" not in reply.headers
        assert reply.json()["error"] == "not_found"
