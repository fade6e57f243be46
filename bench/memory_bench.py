"""RSS of one ``gatepass serve`` at idle and after N distinct tokens verified.

    .venv/bin/python bench/memory_bench.py [--tokens 100000]

One instance (its default server, one worker, SQLite, HS256 so that the bench
can mint tokens: every one a real access token of a real session, differing in
its ``jti``, so each is a verified-token cache miss and a full verification).
wrk sends each token once (``bench/tokens.lua``). RSS is the sum over the
server's process and its workers (``/proc``), read after a warm-up request
and again after the tokens.
"""

from __future__ import annotations

import argparse
import base64
import math
import re
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
from server_bench import NO_LIMITS, _gatepass_token, launch

from gatepass.jose import Key, encode
from gatepass.tokens.access import ACCESS_TOKEN_TYPE

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Memory:
    idle_mib: float
    after_mib: float
    tokens: int
    seconds: float


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").iterdir():
            children = (task / "children").read_text().split()
            todo.extend(int(c) for c in children)
    return pids


def rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, MiB."""
    total = 0
    for each in _tree(pid):
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def _claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    claims: dict[str, object] = orjson.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


def mint(token: str, secret: str, count: int, path: Path) -> None:
    """``count`` tokens like ``token`` (same session and expiry), each with its own jti."""
    key = Key.from_secret(secret, alg="HS256", kid="hs256")
    claims = _claims(token)
    headers = {"typ": ACCESS_TOKEN_TYPE, "kid": "hs256"}
    with path.open("w") as out:
        for _ in range(count):
            out.write(encode({**claims, "jti": secrets.token_urlsafe(16)}, key, headers=headers))
            out.write("\n")


def measure(tmp: str, count: int, connections: int = 16) -> Memory:
    secret = secrets.token_urlsafe(32)
    env = {
        "GATEPASS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/memory.db",
        "GATEPASS_JWT_SECRET": secret,
        **NO_LIMITS,
    }
    process, base = launch("serve:", env)
    try:
        token = _gatepass_token(base)
        httpx.get(
            f"{base}/dashboard", headers={"Authorization": f"Bearer {token}"}
        ).raise_for_status()
        idle = rss_mib(process.pid)
        tokens = Path(tmp, "tokens.txt")
        mint(token, secret, count, tokens)
        seconds = _send(base, tokens, count, min(connections, count))
        after = rss_mib(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=20)
    return Memory(idle, after, count, seconds)


def _send(base: str, tokens: Path, count: int, connections: int) -> float:
    """Each token at least once through wrk; the seconds of the run that covered them all.

    wrk runs for a fixed time: a run too short for every token is repeated,
    longer by what it missed. Any non-2xx aborts.
    """
    seconds = max(2, math.ceil(count / 4000))
    while True:
        command = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds}s"]
        command += ["--timeout", "5s", "-s", str(HERE / "tokens.lua"), f"{base}/dashboard"]
        command += ["--", str(tokens), str(connections)]
        run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
        out = run.stdout
        if run.returncode or "Non-2xx" in out or "Socket errors" in out:
            raise RuntimeError(f"errors while verifying the tokens\n{out}{run.stderr}")
        found = re.search(r"covered: (\d+)", out)
        covered = int(found.group(1)) if found else 0
        if covered >= count:
            return seconds
        seconds = math.ceil(seconds * count / max(covered, 1) * 1.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=100_000)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("needs wrk (apt-get install -y wrk)")
    with tempfile.TemporaryDirectory() as tmp:
        m = measure(tmp, args.tokens)
    print(
        f"RSS at idle: {m.idle_mib:.1f} MiB; after {m.tokens} distinct tokens verified "
        f"({m.seconds:.1f} s): {m.after_mib:.1f} MiB"
    )


if __name__ == "__main__":
    main()
