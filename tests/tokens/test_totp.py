"""The TOTP rules: ±1 step of drift, the matched step (a code is accepted once), recovery codes."""

from __future__ import annotations

import base64
import math
import urllib.parse

import pyotp
import pytest

from gatepass.tokens import totp

NOW = 1_700_000_015.0  # inside step 56_666_667


def code_at(secret: str, when: float) -> str:
    return pyotp.TOTP(secret).at(when)


def test_a_secret_is_160_bits_of_base32_that_pyotp_reads() -> None:
    secret = totp.new_secret()
    assert len(secret) == 32
    assert len(base64.b32decode(secret)) == 20
    assert len({totp.new_secret() for _ in range(50)}) == 50
    assert len(code_at(secret, NOW)) == 6


def test_the_provisioning_uri_names_account_issuer_and_secret() -> None:
    secret = totp.new_secret()
    uri = totp.provisioning_uri(secret, account="alice@example.com", issuer="Gatepass")
    parsed = urllib.parse.urlparse(uri)
    query = urllib.parse.parse_qs(parsed.query)
    assert (parsed.scheme, parsed.netloc) == ("otpauth", "totp")
    assert query["secret"] == [secret]
    assert query["issuer"] == ["Gatepass"]
    assert "alice%40example.com" in parsed.path or "alice@example.com" in parsed.path
    parsed_otp = pyotp.parse_uri(uri)
    assert isinstance(parsed_otp, pyotp.TOTP)
    assert parsed_otp.at(NOW) == code_at(secret, NOW)


@pytest.mark.parametrize("offset", [-30, 0, 30])
def test_a_code_within_one_step_matches_its_step(offset: int) -> None:
    secret = totp.new_secret()
    step = totp.step_at(NOW + offset)
    assert totp.matching_step(secret, code_at(secret, NOW + offset), now=NOW, after=None) == step


@pytest.mark.parametrize("offset", [-60, 60, 3600])
def test_a_code_two_steps_away_is_refused(offset: int) -> None:
    secret = totp.new_secret()
    code = code_at(secret, NOW + offset)
    # A code of another step can equal one of the window's by chance (1 in 10^6 a step).
    window = {code_at(secret, NOW + d) for d in (-30, 0, 30)}
    if code not in window:
        assert totp.matching_step(secret, code, now=NOW, after=None) is None


def test_a_code_of_an_accepted_step_or_earlier_is_refused() -> None:
    secret = totp.new_secret()
    step = totp.step_at(NOW)
    code = code_at(secret, NOW)
    assert totp.matching_step(secret, code, now=NOW, after=step - 1) == step
    assert totp.matching_step(secret, code, now=NOW, after=step) is None
    assert totp.matching_step(secret, code_at(secret, NOW - 30), now=NOW, after=step) is None
    assert totp.matching_step(secret, code_at(secret, NOW + 30), now=NOW, after=step) == step + 1


@pytest.mark.parametrize(
    "code", ["", "12345", "1234567", "12 456", "abcdef", None, 123456, "١٢٣٤٥٦"]
)
def test_what_is_not_six_digits_is_refused(code: object) -> None:
    assert totp.matching_step(totp.new_secret(), code, now=NOW, after=None) is None


def test_another_secrets_code_is_refused() -> None:
    mine, theirs = totp.new_secret(), totp.new_secret()
    code = code_at(theirs, NOW)
    if code not in {code_at(mine, NOW + d) for d in (-30, 0, 30)}:
        assert totp.matching_step(mine, code, now=NOW, after=None) is None


def test_ten_recovery_codes_of_at_least_50_bits_each() -> None:
    codes = totp.recovery_codes()
    assert len(codes) == totp.RECOVERY_CODES == 10
    assert len(set(codes)) == 10
    for code in codes:
        plain = code.replace("-", "")
        assert len(plain) * math.log2(32) >= 50
        assert totp.recovery_hash("u1", code) is not None


def test_a_recovery_hash_is_bound_to_the_user_and_reads_what_people_type() -> None:
    code = totp.recovery_codes()[0]
    stored = totp.recovery_hash("u1", code)
    assert stored is not None
    assert code not in stored
    assert code.replace("-", "") not in stored
    assert totp.recovery_hash("u1", code.lower().replace("-", " ")) == stored
    assert totp.recovery_hash("u1", code.replace("-", "")) == stored
    assert totp.recovery_hash("u2", code) != stored


@pytest.mark.parametrize("code", ["", "ABCD", "ABCD-EFGH-IJKL-MNO1", "x" * 10_000, None, 7])
def test_what_cannot_be_a_recovery_code_has_no_hash(code: object) -> None:
    assert totp.recovery_hash("u1", code) is None
