"""PyJWT's module layout over the strict core, for code moving from PyJWT.

``gatepass.jose.jwt`` re-exports what ``import jwt`` offers; the submodules
here (``api_jwk``, ``api_jws``, ``api_jwt``, ``jwks_client``, ``types``,
``utils``, ``warnings``, ``algorithms``) hold what PyJWT keeps under the same
names. Importing this package imports nothing: ``api_jwk`` is needed by the
core, and the rest depend on it.
"""
