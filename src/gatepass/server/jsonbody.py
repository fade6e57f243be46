"""Request bodies: JSON only, declared as JSON, parsed strictly.

``JsonRoute`` is the ``route_class`` of every gatepass router. On a route that
takes a body, a non-empty body must say ``Content-Type: application/json`` (or
``application/<something>+json``), else 415: a cross-site page can send a
"simple" ``text/plain`` POST without a preflight, and JSON that arrives without
saying so is how such a page would reach a JSON route. The body is then parsed
with the JOSE core's strict JSON (``gatepass.jose.strictjson``): a duplicate
member name, which other parsers resolve by keeping the first or the last, is
a 422, as it is in a token.

Form routes (a body declared with ``Form(...)``, as an RFC 6749 token endpoint
would take ``application/x-www-form-urlencoded``) are exempt by that
declaration; FastAPI reads their forms itself.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from email.message import Message
from typing import Any

from fastapi import Request, Response, params
from fastapi.routing import APIRoute

from gatepass.errors import InvalidRequestError, MalformedTokenError, UnsupportedMediaTypeError
from gatepass.jose import strictjson

__all__ = ["JsonRoute", "check_body", "is_json_media_type", "takes_json_body"]

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def is_json_media_type(content_type: str | None) -> bool:
    """``application/json`` or ``application/*+json``, parameters (charset) allowed."""
    if not content_type:
        return False
    message = Message()
    message["content-type"] = content_type
    if message.get_content_type() != content_type.split(";", 1)[0].strip().lower():
        return False  # the header was not one media type (email.message fell back)
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def takes_json_body(route: APIRoute) -> bool:
    """Whether ``route`` declares a body that is not a form."""
    field = route.body_field
    return field is not None and not isinstance(field.field_info, params.Form)


def check_body(body: bytes, content_type: str | None) -> None:
    """415 unless a non-empty body is declared JSON; 422 unless it is strict JSON."""
    if not body:
        return
    if not is_json_media_type(content_type):
        raise UnsupportedMediaTypeError()
    try:
        strictjson.loads(body, "The request body")
    except MalformedTokenError as exc:
        raise InvalidRequestError(exc.message) from None


class JsonRoute(APIRoute):
    """An ``APIRoute`` whose JSON body is checked by ``check_body`` before FastAPI reads it."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        if not takes_json_body(self):
            return handler

        async def strict(request: Request) -> Response:
            check_body(await request.body(), request.headers.get("content-type"))
            return await handler(request)

        return strict
