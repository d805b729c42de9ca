"""Reading a write request's body: whole, before its first query, and within a deadline.

Before any query: on SQLite a write request's first query opens ``BEGIN IMMEDIATE`` and so holds
the database's single write lock until the request ends. A photo arriving over a weak phone link
can take longer than the busy timeout: read while holding the lock, it would make every other
writer fail with "database is locked". Form uploads are spooled to temporary files; an oversize
body is refused with 413 before anything is locked.

Within a deadline: a client trickling its body (a byte a second, "slow loris") would hold a
worker for as long as it likes. The buffering proxy in front (``deploy/nginx/anxun.conf``) is the
first line; this is the second. Once ``REQUEST_BODY_GRACE_S`` have passed, the body must keep
arriving at ``REQUEST_BODY_MIN_RATE`` bytes a second on average (the grace is the slack:
``received >= rate * (elapsed - grace)``); a slower one is cut off with 408 problem+json.

The check runs after every chunk read. Under gunicorn a read blocks until its whole chunk has
arrived, however slowly, so a watchdog thread per process also looks at every body being read
twice a second and shuts the socket's reading side under one that fell behind: the blocked read
returns at once, and the request answers 408.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time

from flask import current_app, request

from app.core.db import SAFE_METHODS
from app.errors import RequestTimeout

log = logging.getLogger(__name__)

FORM_MIMETYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
#: Bytes asked of the server per read: small, so progress shows often (well under the slack).
CHUNK = 8192
WATCH_INTERVAL_S = 0.5
TOO_SLOW = ("请求内容传输过慢，已停止接收，请在网络较好时重试 / The request body arrived too "
            "slowly and was cut off; retry on a better connection.")


class DeadlineStream:
    """``wsgi.input`` read in small chunks against the minimum rate; see the module doc."""

    def __init__(self, stream, sock: socket.socket | None, min_rate: float, grace_s: float):
        self.stream = stream
        self.sock = sock
        self.min_rate = min_rate
        self.grace_s = grace_s
        self.started = time.monotonic()
        self.received = 0
        self.cut_off = False

    def behind(self, now: float) -> bool:
        return self.received < self.min_rate * (now - self.started - self.grace_s)

    def cut(self) -> None:
        """Called by the watchdog: make the blocked read return (with what it has)."""
        self.cut_off = True
        try:
            self.sock.shutdown(socket.SHUT_RD)
        except OSError:  # already closed by the client
            pass

    def _check(self) -> None:
        if self.cut_off or self.behind(time.monotonic()):
            self.cut_off = True
            raise RequestTimeout(TOO_SLOW)

    def _counted(self, reader, size: int | None) -> bytes:
        self._check()
        data = reader(CHUNK if size is None or size < 0 else min(size, CHUNK))
        self.received += len(data)
        self._check()
        return data

    def read(self, size: int = -1) -> bytes:
        return self._counted(self.stream.read, size)

    def readline(self, size: int = -1) -> bytes:
        return self._counted(self.stream.readline, size)


class _Watchdog:
    """One daemon thread per process, started with the first body it has to watch."""

    def __init__(self):
        self.lock = threading.Lock()
        self.streams: set[DeadlineStream] = set()
        self.pid: int | None = None

    def watch(self, stream: DeadlineStream) -> None:
        with self.lock:
            if self.pid != os.getpid():  # first use, or a forked worker: threads do not fork
                self.pid = os.getpid()
                self.streams = set()
                threading.Thread(target=self._run, name="anxun-body-watchdog",
                                 daemon=True).start()
            self.streams.add(stream)

    def forget(self, stream: DeadlineStream) -> None:
        with self.lock:
            self.streams.discard(stream)

    def _run(self) -> None:
        while True:
            time.sleep(WATCH_INTERVAL_S)
            now = time.monotonic()
            with self.lock:
                late = [s for s in self.streams if not s.cut_off and s.behind(now)]
            for stream in late:
                log.warning("request body too slow (%d bytes in %.0f s): cut off",
                            stream.received, now - stream.started)
                stream.cut()


_watchdog = _Watchdog()


def read_body():
    """``before_request``, first of all: take a write request's body off the network within
    the deadline (module doc), before anything reads or queries."""
    if request.method in SAFE_METHODS or request.content_length == 0:
        return
    cfg = current_app.config
    min_rate, grace = cfg["REQUEST_BODY_MIN_RATE"], cfg["REQUEST_BODY_GRACE_S"]
    stream = None
    if min_rate > 0:
        sock = request.environ.get("gunicorn.socket")
        stream = DeadlineStream(request.environ["wsgi.input"], sock, min_rate, grace)
        request.environ["wsgi.input"] = stream
        if sock is not None:
            _watchdog.watch(stream)
    try:
        if request.mimetype in FORM_MIMETYPES:
            request.form  # noqa: B018 - parsing reads the whole stream
        else:
            request.get_data(cache=True)
    finally:
        if stream is not None:
            _watchdog.forget(stream)
    if stream is not None and stream.cut_off:  # a parser that swallowed the short read
        raise RequestTimeout(TOO_SLOW)


def init_app(app):
    app.before_request(read_body)
