"""The gatepass auth server (FastAPI)."""

from gatepass.server.app import create_app

__all__ = ["create_app"]
