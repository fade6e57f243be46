"""PyJWT's algorithm plug-in names. gatepass's table is fixed (``gatepass.jose.algorithms``).

``PyJWS.register_algorithm`` refuses every plug-in: an algorithm is a row of
that table, reviewed with it, never an object a caller adds at run time.
"""

from __future__ import annotations

from typing import Final

__all__ = ["Algorithm", "NoneAlgorithm", "has_crypto"]

#: gatepass always signs and verifies with ``cryptography``.
has_crypto: Final = True


class Algorithm:
    """PyJWT's plug-in base class; ``register_algorithm`` refuses its instances."""


class NoneAlgorithm(Algorithm):
    """``alg: none``, which gatepass neither signs nor verifies."""
