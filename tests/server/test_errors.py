"""The store's errors keep their HTTP answers now that they have their own branch."""

from __future__ import annotations

import json

import pytest

from gatepass.errors import GatepassError, NotFoundError, StoreError, UserExistsError
from gatepass.server.errors import error_response, oauth_error_response


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [(NotFoundError(), 404, "not_found"), (UserExistsError(), 409, "user_exists")],
)
def test_store_errors_keep_their_status_and_code(
    error: GatepassError, status: int, code: str
) -> None:
    assert isinstance(error, StoreError)
    response = error_response(error)
    assert response.status_code == status
    assert json.loads(bytes(response.body))["error"] == code
    assert "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize("error", [NotFoundError(), UserExistsError()])
def test_store_errors_at_the_token_endpoint_are_invalid_grant(error: GatepassError) -> None:
    response = oauth_error_response(error)
    assert response.status_code == 400
    assert json.loads(bytes(response.body))["error"] == "invalid_grant"
