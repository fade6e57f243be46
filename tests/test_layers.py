"""The rooms of docs/architecture.md import only what that page says they may.

Each room (a top-level module or package of ``gatepass``) lists the rooms it
may import at run time (``TYPE_CHECKING`` imports aside); a new arrow between
rooms is a design decision, made here and on that page, not by accident.
Nothing imports another module's underscore names.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "gatepass"

BASE = {"errors"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "clock": set(),
    "secret": BASE,
    "envparse": BASE | {"secret"},
    "providers": BASE | {"secret"},
    "settings_rules": BASE | {"envparse", "mail", "secret", "tokens"},
    "settings": BASE
    | {"envparse", "mail", "providers", "secret", "settings_rules", "tokencache", "tokens"},
    "filemodes": set(),
    "securityheaders": set(),
    "headlimit": {"securityheaders"},
    "background": set(),
    "tokencache": set(),
    "stepup": BASE,
    "remote": BASE,
    "jose": BASE | {"clock", "remote"},
    "identity": BASE,
    "store": BASE | {"filemodes", "identity"},
    "tokens": BASE | {"clock", "jose", "store", "tokencache"},
    "revocation": BASE | {"background", "remote", "settings", "store"},
    "federation": BASE | {"jose", "protect", "providers", "remote", "tokens"},
    "flows": BASE
    | {
        "clock",
        "federation",
        "identity",
        "jose",
        "mail",
        "revocation",
        "stepup",
        "store",
        "tokens",
    },
    "mail": BASE | {"store", "tokens"},
    "kek": BASE | {"filemodes", "secret", "settings", "store", "tokens"},
    "protect": BASE
    | {
        "clock",
        "jose",
        "remote",
        "revocation",
        "settings",
        "secret",
        "stepup",
        "tokencache",
        "tokens",
    },
    "admin": BASE | {"jose", "kek", "mail", "revocation", "settings", "store", "tokens"},
    "server": BASE
    | {
        "background",
        "clock",
        "federation",
        "flows",
        "identity",
        "jose",
        "kek",
        "mail",
        "revocation",
        "securityheaders",
        "settings",
        "stepup",
        "store",
        "tokens",
    },
    "cli": BASE
    | {
        "admin",
        "clock",
        "envparse",
        "headlimit",
        "identity",
        "jose",
        "kek",
        "mail",
        "secret",
        "server",
        "settings",
        "store",
        "tokens",
    },
    "web": set(),
}


def room_of(module: str) -> str:
    return module.split(".")[1]


def modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "__init__.py" and path.parent == SRC:
            continue
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        yield ".".join(parts).removesuffix(".__init__"), ast.parse(path.read_text())


def runtime_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for n in ast.walk(node))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skipped:
            yield node


def test_every_room_is_listed() -> None:
    rooms = {room_of(name) for name, _ in modules()}
    assert rooms == set(ALLOWED)


def test_rooms_import_only_what_they_may() -> None:
    wrong = []
    for name, tree in modules():
        room = room_of(name)
        for node in runtime_imports(tree):
            targets = (
                [node.module]
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for target in targets:
                if target.startswith("gatepass."):
                    other = room_of(target)
                    if other != room and other not in ALLOWED[room]:
                        wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_nothing_imports_another_modules_underscore_names() -> None:
    wrong = []
    for name, tree in modules():
        for node in runtime_imports(tree):
            if isinstance(node, ast.ImportFrom) and node.module != name:
                wrong += [
                    f"{name}: from {node.module} import {alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
    assert wrong == []
