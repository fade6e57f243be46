"""``Deferred``: work started by a request and not waited for; logged when it fails,
waited for (bounded) at shutdown."""

from __future__ import annotations

import asyncio
import logging

import pytest

from gatepass.server.deferred import Deferred
from gatepass.server.state import ServerState
from gatepass.settings import Settings
from tests.server.conftest import start


async def test_later_returns_at_once_and_the_work_runs_after() -> None:
    deferred = Deferred()
    release = asyncio.Event()
    done: list[str] = []

    async def work() -> None:
        await release.wait()
        done.append("work")

    deferred.later(work())
    assert (done, len(deferred)) == ([], 1)
    release.set()
    await deferred.join()
    assert (done, len(deferred)) == (["work"], 0)


async def test_a_failure_is_logged_and_the_others_go_on(caplog: pytest.LogCaptureFixture) -> None:
    deferred = Deferred()
    done: list[str] = []

    async def fails() -> None:
        raise RuntimeError("boom")

    async def works() -> None:
        done.append("ok")

    deferred.later(fails(), name="forgot password")
    deferred.later(works())
    await deferred.join()
    assert done == ["ok"]
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.getMessage() == "forgot password failed"
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


async def test_close_waits_for_the_work_under_way() -> None:
    deferred = Deferred()
    done: list[str] = []

    async def work() -> None:
        await asyncio.sleep(0)
        done.append("work")

    deferred.later(work())
    await deferred.close()
    assert done == ["work"]


async def test_close_cancels_what_outlasts_its_timeout(caplog: pytest.LogCaptureFixture) -> None:
    deferred = Deferred(timeout=0.01)
    cancelled = asyncio.Event()

    async def hangs() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    deferred.later(hangs())
    await deferred.close()
    assert cancelled.is_set()
    assert len(deferred) == 0
    assert any("cancelling 1 deferred task" in r.getMessage() for r in caplog.records)


async def test_after_close_work_is_refused_and_never_started(
    caplog: pytest.LogCaptureFixture,
) -> None:
    deferred = Deferred()
    await deferred.close()
    started: list[str] = []

    async def work() -> None:
        started.append("work")  # pragma: no cover - must not run

    deferred.later(work(), name="late")
    await deferred.join()
    assert started == []
    assert any("late not run" in r.getMessage() for r in caplog.records)


async def test_the_server_waits_for_deferred_work_at_shutdown() -> None:
    done: list[str] = []

    async def work() -> None:
        await asyncio.sleep(0)
        done.append("work")

    async for server in start(Settings(mail="off")):
        state = server.app.state.gatepass
        assert isinstance(state, ServerState)
        state.deferred.later(work())
        assert done == []
    assert done == ["work"]
