"""One writer per store: an advisory file lock in the data dir.

Chroma and SQLite each stay consistent on their own, but a document is written to both in
steps (pending -> vectors -> chunks), and recovery (`Index.reconcile`) cannot tell a dead
writer's leftovers from a live writer's work in progress. So every writer (ingest, delete,
reindex, UI uploads) holds `data_dir/.write.lock` (fcntl.flock: released by the kernel
when the holder dies, however it dies) and recovery runs only while holding it. A small
JSON file beside the lock names the holder, so a waiting writer can say whom it waits for.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.index.errors import IndexError_

LOCK_NAME = ".write.lock"
HOLDER_NAME = ".write.lock.json"


class StoreBusyError(IndexError_):
    """Another writer held the store for longer than the configured timeout."""


def _command_name() -> str:
    """What this process is, for the waiter's message: "ingest", "app.py", ..."""
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    return args[0] if args else Path(sys.argv[0] or "python").name


def describe_holder(holder: dict | None, now: float | None = None) -> str:
    """'the ingest started 12 s ago by pid 4711' from the holder's JSON."""
    if not holder:
        return "another writer"
    ago = max(0.0, (now or time.time()) - float(holder.get("started", 0)))
    return (
        f"the {holder.get('command', 'write')} started {ago:.0f} s ago by pid {holder.get('pid')}"
    )


class WriteLock:
    """The store's writer lock; re-entrant within one thread, exclusive across threads
    and processes (each acquisition opens its own file description, so flock also
    excludes another thread of the same process)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / LOCK_NAME
        self.holder_path = data_dir / HOLDER_NAME
        self._local = threading.local()

    def holder(self) -> dict | None:
        """Who holds the lock now, from the JSON it wrote (None if unreadable or free)."""
        try:
            return json.loads(self.holder_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def writer(self) -> dict | None:
        """The holder if some writer holds the lock now, else None (a holder file left by
        a killed writer does not count: the kernel released its lock)."""
        if not self.path.exists():
            return None
        fd = os.open(self.path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        except BlockingIOError:
            return self.holder() or {}
        finally:
            os.close(fd)

    def held(self) -> bool:
        """Does this thread hold the lock?"""
        return getattr(self._local, "depth", 0) > 0

    @contextmanager
    def hold(
        self,
        command: str | None = None,
        timeout_s: float = 0.0,
        on_wait: Callable[[str], None] | None = None,
        poll_s: float = 0.2,
    ) -> Iterator[None]:
        """Hold the lock for the block. A busy lock is waited for (forever when
        timeout_s <= 0); on_wait gets a message when the wait starts and about every
        5 s after, naming the holder."""
        if self.held():
            self._local.depth += 1
            try:
                yield
            finally:
                self._local.depth -= 1
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            self._acquire(fd, timeout_s, on_wait, poll_s)
            started = time.time()
            info = {
                "pid": os.getpid(),
                "command": command or _command_name(),
                "started": started,
                "thread": threading.current_thread().name,
            }
            tmp = self.holder_path.with_name(f"{HOLDER_NAME}.{os.getpid()}.tmp")
            try:
                tmp.write_text(json.dumps(info), encoding="utf-8")
                os.replace(tmp, self.holder_path)
            except OSError:  # a full disk: the lock holds all the same, only unnamed
                tmp.unlink(missing_ok=True)
            self._local.depth = 1
            try:
                yield
            finally:
                self._local.depth = 0
                if (self.holder() or {}).get("started") == started:
                    self.holder_path.unlink(missing_ok=True)
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _acquire(
        self,
        fd: int,
        timeout_s: float,
        on_wait: Callable[[str], None] | None,
        poll_s: float,
    ) -> None:
        t0 = time.monotonic()
        said = -1e9
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            waited = time.monotonic() - t0
            if timeout_s > 0 and waited >= timeout_s:
                raise StoreBusyError(
                    f"The store {self.data_dir} is being written by "
                    f"{describe_holder(self.holder())}; gave up after {timeout_s:.0f} s "
                    "(store.lock_timeout_s). Try again when it has finished."
                )
            if on_wait and waited - said >= 5.0:
                first = said < 0
                said = waited
                who = describe_holder(self.holder())
                on_wait(
                    f"waiting for {who}…"
                    if first
                    else f"still waiting for {who} ({waited:.0f} s so far)…"
                )
            time.sleep(poll_s)
