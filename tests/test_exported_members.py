"""Each public package exports exactly what it imports for its users (as httpx checks).

A name imported into a package's ``__init__`` and left out of ``__all__`` (or
listed there and never imported) is a surface nobody decided on. Submodules
are attributes too, once imported; they count only when ``__all__`` names them.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

PACKAGES = ["gatepass.protect", "gatepass.store", "gatepass.jose.jwe"]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_lists_exactly_the_public_names(name: str) -> None:
    package = importlib.import_module(name)
    exported = list(package.__all__)
    assert len(exported) == len(set(exported))
    public = {
        member
        for member, value in vars(package).items()
        if not member.startswith("_")
        and member != "annotations"  # from __future__ import annotations
        and (not inspect.ismodule(value) or member in exported)
    }
    assert set(exported) == public


@pytest.mark.parametrize("name", PACKAGES)
def test_every_export_is_gatepass_own(name: str) -> None:
    package = importlib.import_module(name)
    for member in package.__all__:
        value = getattr(package, member)
        if inspect.ismodule(value):
            assert value.__name__.startswith(f"{name}."), member
        elif inspect.isclass(value) or inspect.isfunction(value):
            assert value.__module__.startswith("gatepass."), (member, value.__module__)
        # constants and type aliases (frozensets, mappings, Callable[...]) carry no module
