"""The HTTP servers ``gatepass serve`` can run on, each holding the request-head limits.

Both get the same two limits from the settings: a request head over
``GATEPASS_MAX_HEADER_BYTES`` is answered 431 without the rest of the request
being read, and a connection that has not sent a complete head within
``GATEPASS_HEADER_TIMEOUT`` seconds is closed.

- ``granian`` (the default, the faster one by ``wrk`` on ``/health``; see
  docs/deployment.md): hyper's HTTP/1 read buffer is the head limit (hyper
  answers 431 with an empty body) and ``header_read_timeout`` the deadline;
  ``backpressure`` (connections per worker) as high as the descriptors allow.
  HTTP/1 only: HTTP/2 would bring its own, larger header limit.
- ``uvicorn``: its httptools protocol has no limits of its own, so it runs
  ``gatepass.headlimit.HeadLimitedProtocol`` (431 with the
  ``{"error","message"}`` body and the security headers).
"""

from __future__ import annotations

import asyncio
import copy
import functools
import logging
import math
import resource
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, cast

__all__ = ["APP", "RUNNERS", "HttpServer", "Launch", "granian_log_config", "log_config"]

APP: Final = "gatepass.server:create_app"
FD_RESERVE: Final = 256  # descriptors kept for the database and Redis pools, logs, files
UNLIMITED_FDS_CAP: Final = 65536
WORKER_STOP_S: Final = 10  # granian: a worker not stopped this long after SIGTERM is killed


@dataclass(frozen=True, slots=True, kw_only=True)
class Launch:
    """What ``gatepass serve`` asks of whichever server runs it."""

    host: str
    port: int
    workers: int
    reload: bool
    log_level: str
    max_header_bytes: int
    header_timeout: float

    def common_options(self) -> dict[str, Any]:
        """The options uvicorn.run and granian's Server take under the same names."""
        return {"factory": True, "port": self.port, "workers": self.workers, "reload": self.reload}


def run_uvicorn(launch: Launch) -> None:
    import uvicorn

    from gatepass.headlimit import HeadLimitedProtocol, HeadLimits

    limits = HeadLimits(launch.max_header_bytes, launch.header_timeout)
    protocol = functools.partial(HeadLimitedProtocol, limits=limits)  # picklable for workers
    uvicorn.run(
        APP,
        **launch.common_options(),
        host=launch.host,
        http=cast(type[asyncio.Protocol], protocol),
        ws="none",  # no WebSocket routes: an Upgrade stays a plain request
        proxy_headers=False,
        log_level=launch.log_level,
        log_config=log_config(launch.log_level),
    )


def run_granian(launch: Launch) -> None:
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.server import Server

    http1 = HTTP1Settings(
        header_read_timeout=math.ceil(launch.header_timeout * 1000),  # milliseconds
        max_buffer_size=launch.max_header_bytes,
    )
    Server(
        APP,
        **launch.common_options(),
        address=launch.host,
        interface=Interfaces.ASGI,
        http=HTTPModes.http1,
        http1_settings=http1,
        backpressure=connection_cap(),
        # A worker still starting when SIGTERM came never stops by itself: granian
        # would wait for it forever. The others stop gracefully well within this.
        workers_kill_timeout=WORKER_STOP_S,
        websockets=False,
        **granian_logging(launch.log_level),
    ).serve()


def connection_cap() -> int:
    """Connections one granian worker holds at once: as many as its descriptors allow.

    granian holds one permit per open connection, and its default (backlog over
    workers: 1,024) let 1,024 half-sent heads lock every other client out for a
    whole header timeout. uvicorn has no cap but the descriptors either.
    """
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return UNLIMITED_FDS_CAP
    return max(1024, soft - FD_RESERVE)


class HttpServer(StrEnum):
    granian = "granian"
    uvicorn = "uvicorn"


RUNNERS: Final[dict[HttpServer, Callable[[Launch], None]]] = {
    HttpServer.granian: run_granian,
    HttpServer.uvicorn: run_uvicorn,
}


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging, plus the ``gatepass`` loggers on the same stderr handler.

    Without this, gatepass's own lines (a Redis outage and its end, revocation
    sync, key sync) would have no handler under ``gatepass serve``.
    """
    from uvicorn.config import LOG_LEVELS, LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["gatepass"] = {
        "handlers": ["default"],
        "level": LOG_LEVELS[level],
        "propagate": False,
    }
    return config


def granian_logging(level: str) -> dict[str, Any]:
    """granian's ``log_level`` and ``log_dictconfig`` (it has no ``trace``: ``debug``)."""
    from granian.log import LogLevels

    level = "debug" if level == "trace" else level
    return {"log_level": LogLevels(level), "log_dictconfig": granian_log_config(level)}


def granian_log_config(level: str) -> dict[str, Any]:
    """granian's logging, plus the ``gatepass`` loggers (named) on its console stream."""
    from granian.log import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["gatepass"] = {
        "()": "logging.Formatter",
        "fmt": "[%(levelname)s] %(name)s: %(message)s",
    }
    config["handlers"]["gatepass"] = {**config["handlers"]["console"], "formatter": "gatepass"}
    config["loggers"]["gatepass"] = {
        "handlers": ["gatepass"],
        "level": logging.getLevelName(level.upper()),
        "propagate": False,
    }
    return config
