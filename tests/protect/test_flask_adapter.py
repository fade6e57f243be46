"""The Flask decorator under threads."""

import concurrent.futures
from typing import Any

from tests.protect.apps import KEY, MISSING, flask_app, new_auth
from tests.protect.helpers import mint


def test_flask_under_threads_answers_every_request_right() -> None:
    auth = new_auth()
    app = flask_app(auth)
    tokens = [mint(KEY, email=f"u{i}@example.com", sid=f"s{i}") for i in range(40)]

    def call(i: int) -> tuple[int, Any]:
        reply = app.test_client().get(
            "/me", headers={"Authorization": f"Bearer {tokens[i % 40]}"} if i % 5 else {}
        )
        return reply.status_code, reply.get_json()

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(call, range(200)))
    try:
        for i, (status, body) in enumerate(results):
            if i % 5:
                assert (status, body) == (200, {"message": f"Welcome u{i % 40}@example.com"})
            else:
                assert (status, body) == (401, MISSING)
    finally:
        auth.close_sync()
