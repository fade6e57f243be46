"""The vector files the JWE suite depends on are where the suite expects them."""

from __future__ import annotations

from tests.jose.jwe.conftest import VECTORS, load_json


def test_wycheproof_jwe_file_has_all_cases() -> None:
    data = load_json("wycheproof/json_web_encryption_test.json")
    count = sum(len(group["tests"]) for group in data["testGroups"])
    assert count == data["numberOfTests"] == 139


def test_cookbook_sections_5_1_to_5_9_present() -> None:
    names = sorted(p.name.split(".")[0] for p in (VECTORS / "jose-cookbook" / "jwe").iterdir())
    assert {f"5_{i}" for i in range(1, 10)} <= set(names)
