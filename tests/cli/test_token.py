"""`gatepass token decode|verify|audit|sign` on the JOSE vectors and on tokens made here."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from gatepass.cli import keysource
from gatepass.jose import Key, encode
from gatepass.jose._b64 import b64encode
from tests.cli.conftest import Cli
from tests.conftest import VECTORS

COOKBOOK = VECTORS / "jose-cookbook"
NESTED = json.loads((COOKBOOK / "6.nesting_signatures_and_encryption.json").read_text("utf-8"))
SECRET = "kX3w9pQ2vZr7Lm4Tn8Yb1Hc6Jd0Fg5Sa_Ue2Wi9Ro3"


def _compact(path: Path) -> str:
    output = json.loads(path.read_text("utf-8")).get("output", {})
    compact = output.get("compact") if isinstance(output, dict) else None
    return compact if isinstance(compact, str) else ""


JWS_VECTORS = [p for p in sorted((COOKBOOK / "jws").glob("*.json")) if _compact(p)]
JWE_VECTORS = [p for p in sorted((COOKBOOK / "jwe").glob("*.json")) if _compact(p)]


def _write(tmp_path: Path, name: str, data: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), "utf-8")
    return str(path)


def _signing_key() -> Key:
    return Key.generate("EdDSA", kid="k1")


def _good_claims(**extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": "https://auth.example",
        "aud": "api",
        "sub": "1",
        "iat": now,
        "exp": now + 900,
        **extra,
    }


def _token(claims: dict[str, Any], key: Key | None = None, typ: str = "at+jwt") -> str:
    return encode(
        claims,
        key or _signing_key(),
        headers={"typ": typ, "kid": "k1"},
        require_exp=False,
        sensitive_claims=(),
    )


# --- decode -----------------------------------------------------------------------


def test_vectors_are_there() -> None:
    assert len(JWS_VECTORS) >= 5
    assert len(JWE_VECTORS) >= 9


@pytest.mark.parametrize("path", JWS_VECTORS, ids=lambda p: p.stem)
def test_decode_cookbook_jws(cli: Cli, path: Path) -> None:
    token = _compact(path)
    shown = cli.json("token", "decode", token)
    assert isinstance(shown, dict)
    assert shown["kind"] == "jws"
    assert shown["verified"] is False
    signing = json.loads(path.read_text("utf-8"))["signing"]
    protected = signing.get("protected") or signing[0]["protected"]
    assert shown["header"] == protected
    assert [p["part"] for p in shown["parts"]] == ["header", "payload", "signature"]
    human = cli("token", "decode", token)
    assert human.exit_code == 0
    assert "signature NOT verified" in human.stdout
    assert token.split(".")[2] in human.stdout


def test_decode_shows_a_text_payload(cli: Cli) -> None:
    shown = cli.json("token", "decode", _compact(COOKBOOK / "jws" / "4_1.rsa_v15_signature.json"))
    assert isinstance(shown, dict)
    assert shown["claims"] is None
    assert shown["payload_text"].startswith("It\u2019s a dangerous business, Frodo")
    assert {"check": "not_a_jwt", "severity": "medium"}.items() <= shown["warnings"][0].items()


@pytest.mark.parametrize("path", JWE_VECTORS, ids=lambda p: p.stem)
def test_decode_cookbook_jwe_shows_what_is_readable_without_the_key(cli: Cli, path: Path) -> None:
    vector = json.loads(path.read_text("utf-8"))
    shown = cli.json("token", "decode", _compact(path))
    assert isinstance(shown, dict)
    assert shown["kind"] == "jwe"
    assert shown["decrypted"] is False
    assert shown["header"]["alg"] == vector["input"]["alg"]
    assert shown["header"]["enc"] == vector["input"]["enc"]
    assert shown["claims"] is None
    assert shown["payload_text"] is None
    assert any("payload" in item for item in shown["unreadable_without_key"])
    assert any("header" in item for item in shown["readable_without_key"])
    assert len(shown["parts"]) == 5
    human = cli("token", "decode", _compact(path))
    assert "NOT decrypted" in human.stdout
    assert "NOT readable without the key" in human.stdout


def test_decode_decrypts_the_nested_cookbook_token_with_a_key(cli: Cli, tmp_path: Path) -> None:
    token = NESTED["encrypt"]["output"]["compact"]
    key = _write(tmp_path, "enc.jwk", NESTED["encrypt"]["input"]["key"])
    shown = cli.json("token", "decode", "--key", key, token)
    assert isinstance(shown, dict)
    assert shown["decrypted"] is True
    assert shown["nested"]["header"]["alg"] == "PS256"
    assert shown["nested"]["claims"]["iss"] == "hobbiton.example"
    assert shown["times"]["exp"]["at"] == 1300819380
    assert shown["times"]["exp"]["in_words"].startswith("expired ")
    assert shown["times"]["exp"]["in_words"].endswith(" years ago")
    human = cli("token", "decode", "--key", key, token)
    assert "decrypted, inner signature NOT verified" in human.stdout
    assert "hobbiton.example" in human.stdout
    wrong = _write(tmp_path, "other.jwk", Key.generate("RS256").export_jwk(private=True))
    refused = cli("token", "decode", "--key", wrong, token)
    assert refused.exit_code == 2
    assert refused.stderr.strip().startswith("gatepass: ")


def test_decode_times_in_words(cli: Cli) -> None:
    now = int(time.time())
    token = _token(_good_claims(iat=now - 180, exp=now + 12 * 60 + 20))
    shown = cli.json("token", "decode", token)
    assert isinstance(shown, dict)
    assert shown["times"]["exp"]["in_words"] == "expires in 12 min"
    assert shown["times"]["iat"]["in_words"] == "issued 3 min ago"
    assert "expires in 12 min" in cli("token", "decode", token).stdout


def test_decode_reads_stdin(cli: Cli) -> None:
    token = _token(_good_claims())
    shown = cli.json("token", "decode", "-", input=token + "\n")
    assert isinstance(shown, dict)
    assert shown["claims"]["sub"] == "1"


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("abc.def", "malformed_token"),
        ("not a token", "malformed_token"),
        ("e30.e30.", "malformed_token"),  # header without alg
        ("eyJhbGciOiJIUzI1NiJ9.!!!.sig", "malformed_token"),
        ("a" * 300_000 + ".b.c", "token_too_large"),
    ],
)
def test_decode_refuses_malformed_input_in_one_line(cli: Cli, token: str, code: str) -> None:
    result = cli("token", "decode", token)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"gatepass: {code}: ")
    assert token[:20] not in result.stderr


def test_decode_escapes_control_characters(cli: Cli) -> None:
    token = _token(_good_claims(note="\x1b[31mred\x1b[0m", **{"\x1b]0;x\x07": 1}))
    human = cli("token", "decode", token)
    assert human.exit_code == 0
    assert "\x1b" not in human.stdout
    assert "\x07" not in human.stdout


# --- verify -----------------------------------------------------------------------


@pytest.fixture
def nested_inner() -> tuple[str, dict[str, Any]]:
    """The cookbook's signed JWT inside the nested example, and its public key."""
    token = NESTED["sign"]["output"]["compact"]
    jwk = {k: v for k, v in NESTED["sign"]["input"]["key"].items() if k in ("kty", "kid", "n", "e")}
    return token, jwk


def test_verify_the_cookbook_jwt(
    cli: Cli, tmp_path: Path, nested_inner: tuple[str, dict[str, Any]]
) -> None:
    token, jwk = nested_inner
    key = _write(tmp_path, "pub.jwk", jwk)
    before_exp = "1300819000"
    ok = cli(
        "token", "verify", token, "--key", key, "--at", before_exp, "--iss", "hobbiton.example"
    )
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("valid: signed with PS256")
    shown = cli.json("token", "verify", token, "--key", key, "--at", before_exp)
    assert shown == {
        "valid": True,
        "header": {"alg": "PS256", "typ": "JWT"},
        "claims": json.loads(NESTED["sign"]["input"]["payload"]),
    }
    expired = cli("token", "verify", token, "--key", key)
    assert expired.exit_code == 1
    assert expired.stdout.startswith("invalid: token_expired")
    cases = {
        ("--iss", "other.example"): "claim_invalid",
        ("--aud", "api"): "claim_missing",
        ("--typ", "at+jwt"): "claim_invalid",
        ("--alg", "RS256"): "alg_not_allowed",
    }
    for extra, code in cases.items():
        failed = cli("token", "verify", token, "--key", key, "--at", before_exp, *extra, "--json")
        assert failed.exit_code == 1
        assert orjson.loads(failed.stdout)["error"] == code
    h, p, s = token.split(".")
    tampered = cli("token", "verify", f"{h}.{p}.{s[:-4]}AAAA", "--key", key, "--at", before_exp)
    assert tampered.exit_code == 1
    assert "bad_signature" in tampered.stdout


def test_verify_wycheproof_hs256_cases(cli: Cli, tmp_path: Path) -> None:
    data = json.loads((VECTORS / "wycheproof" / "json_web_signature_test.json").read_text("utf-8"))
    group = data["testGroups"][0]
    assert group["private"]["alg"] == "HS256"
    key = _write(tmp_path, "hs.jwk", group["private"])
    seen = set()
    for case in group["tests"]:
        result = cli("token", "verify", case["jws"], "--key", key, "--json")
        if not case["jws"]:  # no token at all is a usage error, not an invalid token
            assert result.exit_code == 2
            continue
        assert result.exit_code == 1, case["tcId"]
        error = orjson.loads(result.stdout)["error"]
        seen.add(error)
        if case["result"] == "valid":  # a good signature over "foo": not a JWT's claims
            assert error == "malformed_token", case["tcId"]
    assert "bad_signature" in seen


def test_verify_with_a_secret_from_the_environment(cli: Cli) -> None:
    token = encode(_good_claims(), SECRET, "HS256")
    env = {"JWT_SECRET": SECRET, "OTHER": SECRET[::-1]}
    ok = cli("token", "verify", token, "--secret-env", "JWT_SECRET", "--aud", "api", env=env)
    assert ok.exit_code == 0, ok.output
    bad = cli("token", "verify", token, "--secret-env", "OTHER", env=env)
    assert (bad.exit_code, bad.stdout.split(":")[:2]) == (1, ["invalid", " bad_signature"])
    unset = cli("token", "verify", token, "--secret-env", "NOT_SET_ANYWHERE")
    assert unset.exit_code == 2
    assert SECRET not in unset.output


def test_verify_with_a_jwks_file(cli: Cli, tmp_path: Path) -> None:
    key = _signing_key()
    jwks = _write(tmp_path, "jwks.json", {"keys": [key.public_key().export_jwk()]})
    token = _token(_good_claims(), key)
    ok = cli("token", "verify", token, "--jwks", jwks, "--typ", "at+jwt", "--aud", "api")
    assert ok.exit_code == 0, ok.output
    # A token with an audience is refused unless the verifier names the one it expects.
    assert "claim_invalid" in cli("token", "verify", token, "--jwks", jwks).stdout
    assert "kid k1" in ok.stdout


def test_verify_needs_exactly_one_key_source(cli: Cli, tmp_path: Path) -> None:
    token = _token(_good_claims())
    assert cli("token", "verify", token).exit_code == 2
    jwks = _write(tmp_path, "jwks.json", {"keys": []})
    both = cli("token", "verify", token, "--jwks", jwks, "--secret-env", "X")
    assert both.exit_code == 2
    assert "exactly one" in both.stderr
    missing = cli("token", "verify", token, "--key", str(tmp_path / "nope.pem"))
    assert missing.exit_code == 2
    assert missing.stderr.startswith("gatepass: io_error")
    garbage = tmp_path / "garbage.jwk"
    garbage.write_text("not a key")
    assert cli("token", "verify", token, "--key", str(garbage)).exit_code == 2


def test_verify_refuses_a_jwe(cli: Cli, tmp_path: Path) -> None:
    key = _write(tmp_path, "k.jwk", _signing_key().export_jwk())
    result = cli("token", "verify", NESTED["encrypt"]["output"]["compact"], "--key", key)
    assert result.exit_code == 1
    assert "malformed_token" in result.stdout


def test_verify_an_unreachable_jwks_url(cli: Cli) -> None:
    result = cli("token", "verify", _token(_good_claims()), "--jwks", "http://127.0.0.1:9/jwks")
    assert result.exit_code == 3
    assert result.stderr.startswith("gatepass: service_unavailable")


def _serve_forever(body: Callable[[socket.socket], None]) -> tuple[str, socket.socket]:
    """A loopback HTTP server whose every answer is written by ``body``."""
    listener = socket.create_server(("127.0.0.1", 0))

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                with contextlib.suppress(OSError):
                    body(conn)

    threading.Thread(target=accept, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/jwks", listener


def test_verify_a_jwks_url_that_drips_stops_at_the_total_timeout(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # httpx's timeout is per read: a byte every 0.1 s never trips it.
    monkeypatch.setattr(keysource, "JWKS_TIMEOUT_S", 0.5)

    def drip(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n")
        for _ in range(100):
            conn.sendall(b" ")
            time.sleep(0.1)

    url, listener = _serve_forever(drip)
    with listener:
        started = time.monotonic()
        result = cli("token", "verify", _token(_good_claims()), "--jwks", url)
    assert time.monotonic() - started < 3
    assert result.exit_code == 3
    assert result.stderr.startswith("gatepass: service_unavailable")


def test_verify_a_jwks_url_that_never_ends_stops_at_the_size_cap(cli: Cli) -> None:
    def endless(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n")
        for _ in range(64):  # 4 MiB, with no Content-Length
            conn.sendall(b" " * 65536)

    url, listener = _serve_forever(endless)
    with listener:
        result = cli("token", "verify", _token(_good_claims()), "--jwks", url)
    assert result.exit_code == 2
    assert result.stderr.startswith("gatepass: invalid_key: The JWKS is larger than 1 MiB")


# --- audit ------------------------------------------------------------------------


def _audit(cli: Cli, token: str) -> tuple[int, dict[str, str]]:
    result = cli("token", "audit", token, "--json")
    body = orjson.loads(result.stdout)
    assert body["high"] == (result.exit_code == 1)
    return result.exit_code, {f["check"]: f["severity"] for f in body["findings"]}


def test_audit_a_good_token_passes(cli: Cli) -> None:
    code, found = _audit(cli, _token(_good_claims()))
    assert (code, found) == (0, {})
    assert cli("token", "audit", _token(_good_claims())).stdout.strip() == "no findings"


@pytest.mark.parametrize(
    ("claims", "check", "severity"),
    [
        ({"exp": None}, "no_exp", "high"),
        ({"password": "hunter2"}, "sensitive_claim", "high"),
        ({"note": "card 4111 1111 1111 1111"}, "card_number", "high"),
        ({"exp": int(time.time()) + 8 * 3600}, "long_lived", "medium"),
        ({"email": "ada@example.com"}, "jwe_advice", "medium"),
        ({"iss": None}, "missing_iss", "medium"),
        ({"aud": None}, "missing_aud", "medium"),
        ({"blob": "x" * 9000}, "oversized", "high"),
        ({"blob": "x" * 4000}, "large", "medium"),
    ],
)
def test_audit_finds_the_guides_mistakes(
    cli: Cli, claims: dict[str, Any], check: str, severity: str
) -> None:
    merged = {k: v for k, v in {**_good_claims(), **claims}.items() if v is not None}
    code, found = _audit(cli, _token(merged))
    assert found.get(check) == severity, found
    assert code == (1 if "high" in found.values() else 0)


def test_audit_a_number_that_fails_luhn_is_not_a_card(cli: Cli) -> None:
    _, found = _audit(cli, _token(_good_claims(note="4111 1111 1111 1112")))
    assert "card_number" not in found


def test_audit_alg_none_and_missing_header_members(cli: Cli) -> None:
    header = b64encode(orjson.dumps({"alg": "none"}))
    payload = b64encode(orjson.dumps(_good_claims()))
    code, found = _audit(cli, f"{header}.{payload}.")
    assert code == 1
    assert found["alg_none"] == "high"
    assert found["missing_kid"] == "low"
    assert found["missing_typ"] == "low"
    hs = encode(_good_claims(), SECRET, "HS256")
    assert _audit(cli, hs)[1]["shared_secret"] == "low"


def test_audit_cookbook_jwe(cli: Cli, tmp_path: Path) -> None:
    rsa15 = _compact(COOKBOOK / "jwe" / "5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2.json")
    code, found = _audit(cli, rsa15)
    assert (code, found["weak_alg"], found["encrypted"]) == (1, "high", "info")
    zipped = _compact(COOKBOOK / "jwe" / "5_9.compressed_content.json")
    assert _audit(cli, zipped)[1]["compressed"] == "medium"
    token = NESTED["encrypt"]["output"]["compact"]
    key = _write(tmp_path, "enc.jwk", NESTED["encrypt"]["input"]["key"])
    opened = orjson.loads(cli("token", "audit", token, "--key", key, "--json").stdout)
    checks = {f["check"] for f in opened["findings"]}
    assert {"missing_aud", "expired"} <= checks
    assert "encrypted" not in checks


def test_audit_human_output(cli: Cli) -> None:
    result = cli("token", "audit", _token({"sub": "1"}))
    assert result.exit_code == 1
    assert "high  no_exp: no exp: the token is valid forever" in result.stdout


# --- sign -------------------------------------------------------------------------


def test_sign_with_a_key_file_adds_exp_from_the_ttl(cli: Cli, tmp_path: Path) -> None:
    key = _signing_key()
    path = _write(tmp_path, "k.jwk", key.export_jwk(private=True))
    result = cli("token", "sign", "--claims", '{"sub": "42", "aud": "api"}', "--key", path)
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    shown = cli.json("token", "decode", token)
    assert isinstance(shown, dict)
    assert shown["header"] == {"alg": "EdDSA", "typ": "JWT", "kid": "k1"}
    claims = shown["claims"]
    assert claims["exp"] - claims["iat"] == 900
    public = _write(tmp_path, "pub.jwk", key.public_key().export_jwk())
    assert cli("token", "verify", token, "--key", public, "--aud", "api").exit_code == 0
    two_hours = cli(
        "token", "sign", "--claims", "-", "--key", path, "--ttl", "2h", input='{"sub": "42"}'
    )
    assert two_hours.exit_code == 0
    claims = cli.json("token", "decode", two_hours.stdout.strip())["claims"]  # type: ignore[index]
    assert claims["exp"] - claims["iat"] == 7200
    assert "over an hour" in two_hours.stderr


def test_sign_keeps_a_given_exp_and_signs_hs256_from_the_environment(cli: Cli) -> None:
    exp = int(time.time()) + 60
    result = cli(
        "token",
        "sign",
        "--claims",
        json.dumps({"sub": "1", "exp": exp}),
        "--secret-env",
        "S",
        "--typ",
        "at+jwt",
        env={"S": SECRET},
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert (
        cli(
            "token", "verify", token, "--secret-env", "S", "--typ", "at+jwt", env={"S": SECRET}
        ).exit_code
        == 0
    )
    assert cli.json("token", "decode", token)["claims"]["exp"] == exp  # type: ignore[index]


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ('{"sub": "1", "password": "x"}', "gatepass: sensitive_claim"),
        ('{"card_number": "4111"}', "gatepass: sensitive_claim"),
        ("[1, 2]", "gatepass: invalid_claims"),
        ("{nope", "gatepass: invalid_claims"),
    ],
)
def test_sign_refuses(cli: Cli, tmp_path: Path, claims: str, message: str) -> None:
    path = _write(tmp_path, "k.jwk", _signing_key().export_jwk(private=True))
    result = cli("token", "sign", "--claims", claims, "--key", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert result.stdout == ""


def test_sign_refuses_public_keys_weak_secrets_and_bad_ttls(cli: Cli, tmp_path: Path) -> None:
    public = _write(tmp_path, "pub.jwk", _signing_key().public_key().export_jwk())
    assert cli("token", "sign", "--claims", "{}", "--key", public).stderr.startswith(
        "gatepass: invalid_key"
    )
    weak = cli("token", "sign", "--claims", "{}", "--secret-env", "S", env={"S": "secret"})
    assert weak.exit_code == 2
    assert weak.stderr.startswith("gatepass: invalid_key")
    private = _write(tmp_path, "k.jwk", _signing_key().export_jwk(private=True))
    for ttl in ("0", "soon", "-5m", "\u0663", "\uff15m"):
        assert cli("token", "sign", "--claims", "{}", "--key", private, "--ttl", ttl).exit_code == 2
    assert cli("token", "sign", "--claims", "{}").exit_code == 2
