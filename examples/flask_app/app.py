"""Flask behind ``@auth.required``: the principal is ``flask.g.gatepass_principal``.

Authentication runs on the Authenticator's private event-loop thread, so the
threaded development server and any WSGI server are fine. ``create_app(auth)``
takes any Authenticator; ``app`` is built on first access from ``GATEPASS_*``
variables (see README.md).
"""

from functools import cache

from flask import Flask, g

from gatepass.protect import Authenticator, Principal, authenticator_from_env


def create_app(auth: Authenticator) -> Flask:
    app = Flask(__name__)

    @app.get("/public")
    def public() -> dict[str, str]:
        return {"message": "Hello, anyone"}

    @app.get("/dashboard")
    @auth.required
    def dashboard() -> dict[str, str]:
        user: Principal = g.gatepass_principal
        return {"message": f"Welcome {user.email}"}

    @app.get("/admin")
    @auth.required(roles=["admin"])
    def admin() -> dict[str, str]:
        user: Principal = g.gatepass_principal
        return {"message": f"Welcome to the admin area, {user.email}"}

    return app


@cache
def _app_from_env() -> Flask:
    return create_app(authenticator_from_env())


def __getattr__(name: str) -> object:
    if name == "app":
        return _app_from_env()
    raise AttributeError(name)
