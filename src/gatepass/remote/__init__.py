"""Fetching a configured endpoint (a JWKS, the revocation feed): which URLs are
allowed (``urls``) and how an answer is read within a byte cap (``bodies``).

Shared by ``gatepass.protect``, the PyJWT-style JWKS client and the
revocation syncs, so each is written once and none imports the others.
"""
