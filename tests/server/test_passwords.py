"""Passwords: Argon2id on a pool of its own, never more hashes at once than it allows.

The bound is checked deterministically with a fake hasher that counts the
calls inside it and the limiter's own statistics; how fast a protected request
answers during a login storm is measured by ``bench/login_storm.py``, never
timed here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import anyio
import anyio.lowlevel
import anyio.to_thread
from anyio import CapacityLimiter
from argon2.exceptions import VerifyMismatchError

from gatepass.server.passwords import Passwords, default_hashers
from gatepass.settings import Settings

GUARD_S = 10  # only a failing test waits this long


class CountingHasher:
    """Counts the calls in flight; each waits at ``gate`` (a barrier or an event)."""

    def __init__(self, gate: threading.Barrier | threading.Event | None = None) -> None:
        self.gate, self.lock = gate, threading.Lock()
        self.inside = self.most = 0
        self.ready = False  # the dummy hash of Passwords.__init__ passes straight through

    def _enter(self) -> None:
        if not self.ready:
            return
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        try:
            if isinstance(self.gate, threading.Barrier):
                self.gate.wait(GUARD_S)
            elif isinstance(self.gate, threading.Event):
                assert self.gate.wait(GUARD_S)
        finally:
            with self.lock:
                self.inside -= 1

    def hash(self, password: str) -> str:
        self._enter()
        return f"fake${password}"

    def verify(self, hash: str, password: str) -> bool:
        self._enter()
        if hash != f"fake${password}":
            raise VerifyMismatchError
        return True

    def check_needs_rehash(self, hash: str) -> bool:
        return False


def passwords_with(fake: CountingHasher, limiter: CapacityLimiter | None = None) -> Passwords:
    passwords = Passwords(Settings(), limiter=limiter, hasher=fake)
    fake.ready = True
    return passwords


async def until(condition: Callable[[], bool]) -> None:
    """Yield to the worker threads until ``condition()`` holds (no wall-clock wait)."""
    while not condition():
        await anyio.lowlevel.checkpoint()


async def test_a_burst_of_logins_never_runs_more_hashes_than_the_bound() -> None:
    limiter, release = CapacityLimiter(2), threading.Event()
    fake = CountingHasher(release)
    passwords = passwords_with(fake, limiter)
    burst = 16
    results: list[tuple[bool, bool]] = []

    async def login(stored: str | None) -> None:
        results.append(await passwords.verify(stored, "right"))

    with anyio.fail_after(GUARD_S):
        async with anyio.create_task_group() as tasks:
            for i in range(burst):
                tasks.start_soon(login, "fake$right" if i % 2 else None)
            # Everyone else queues on the limiter: no third hash can start.
            await until(lambda: limiter.statistics().tasks_waiting == burst - 2)
            await until(lambda: fake.inside == 2)
            assert limiter.statistics().borrowed_tokens == 2
            release.set()
    assert fake.most == 2
    assert sorted(results) == [(False, False)] * (burst // 2) + [(True, False)] * (burst // 2)


async def test_the_bound_is_reached_so_logins_use_every_core() -> None:
    # A barrier of N parties passes only when N hashes run at once.
    allowed = 3
    fake = CountingHasher(threading.Barrier(allowed))
    passwords = passwords_with(fake, CapacityLimiter(allowed))
    with anyio.fail_after(GUARD_S):
        async with anyio.create_task_group() as tasks:
            for i in range(2 * allowed):
                tasks.start_soon(passwords.verify, "fake$right", "right")
                tasks.start_soon(passwords.hash, f"password {i}")
    assert fake.most == allowed


async def test_the_default_bound_is_one_hash_per_core() -> None:
    assert passwords_with(CountingHasher()).concurrency == default_hashers() >= 1


async def test_a_login_storm_leaves_the_default_thread_pool_free() -> None:
    # More logins than anyio's default pool has threads, all stuck in the
    # hasher: other work on the default pool still runs.
    release = threading.Event()
    fake = CountingHasher(release)
    passwords = passwords_with(fake, CapacityLimiter(2))
    storm = int(anyio.to_thread.current_default_thread_limiter().total_tokens) + 10
    done: list[bool] = []

    async def login() -> None:
        done.append((await passwords.verify("fake$right", "right"))[0])

    with anyio.fail_after(GUARD_S):
        async with anyio.create_task_group() as tasks:
            for _ in range(storm):
                tasks.start_soon(login)
            await until(lambda: fake.inside == 2)
            assert await anyio.to_thread.run_sync(lambda: "other work") == "other work"
            release.set()
    assert done == [True] * storm
    assert fake.most == 2


async def test_argon2id_still_hashes_and_verifies() -> None:
    passwords = Passwords(Settings())
    stored = await passwords.hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert await passwords.verify(stored, "correct horse battery") == (True, False)
    assert await passwords.verify(stored, "wrong horse battery") == (False, False)
    assert await passwords.verify(None, "correct horse battery") == (False, False)
