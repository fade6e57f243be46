"""PyJWT's warning classes, for code that filters them by name."""

from __future__ import annotations

__all__ = ["InsecureKeyLengthWarning", "RemovedInPyjwt3Warning"]


class RemovedInPyjwt3Warning(DeprecationWarning):
    """PyJWT warns with this where gatepass refuses (``verify=``, unknown keyword arguments)."""


class InsecureKeyLengthWarning(UserWarning):
    """PyJWT warns with this where gatepass refuses (keys shorter than the algorithm needs)."""
