"""Flask (WSGI) side of the Authenticator: the ``@auth.required`` view decorator.

Flask calls views on many threads without an event loop, so the decorator
hands each authentication to the Authenticator's private loop thread
(``gatepass.protect.loop_thread``) and blocks until it answers. On success the
principal is ``flask.g.gatepass_principal``; on refusal the view is not called
and the guide's JSON answer (401/403/503; RFC 9470's 401 for a login the
view's ``amr``/``acr``/``max_age`` ask more of) is returned. Synchronous views
only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from gatepass.errors import GatepassError
from gatepass.protect.access import Access
from gatepass.protect.answers import answer_for
from gatepass.tokens.bearer import bearer_token

if TYPE_CHECKING:
    from gatepass.protect.authenticator import Authenticator

__all__ = ["PRINCIPAL_ATTRIBUTE", "protect_view"]

PRINCIPAL_ATTRIBUTE = "gatepass_principal"
View = TypeVar("View", bound=Callable[..., Any])


def protect_view(auth: Authenticator, view: View, access: Access) -> View:
    """``view`` wrapped so it runs only for callers with ``access``."""
    from flask import Response, g, request  # Flask is only needed by Flask apps

    @functools.wraps(view)
    def protected(*args: Any, **kwargs: Any) -> Any:
        try:
            token = bearer_token(request.headers.get("Authorization"), auth.max_token_bytes)
            principal = access.check(auth.authenticate_sync(token), auth.clock())
        except GatepassError as exc:
            answer = answer_for(exc)
            return Response(answer.body, answer.status, headers=list(answer.headers))
        setattr(g, PRINCIPAL_ATTRIBUTE, principal)
        return view(*args, **kwargs)

    return protected  # type: ignore[return-value]
