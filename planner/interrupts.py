"""Ctrl-C that keeps work: the first interrupt stops the search and keeps its best plan, the second quits at once.

Python runs a signal handler only between bytecodes of the main thread, and the main thread may
sit for seconds inside a CP-SAT solve. So the signal is taken at C level through a wakeup file
descriptor, which a watcher thread reads at once: the first byte sets the stop event (every
search stage watches it and ends with its best checked plan), the second exits with 130. Outputs
are written atomically, so quitting at once never leaves a half-written file. CP-SAT's own SIGINT
handler is off (`catch_sigint_signal = False`, in `planner.solver.clock`).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


@contextmanager
def interruptible(message: str) -> Iterator[threading.Event]:
    """Within the block, Ctrl-C sets the yielded event (saying `message` on stderr); a second Ctrl-C exits 130."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop  # signals reach the main thread only: nothing to watch
        return
    read, write = os.pipe()
    os.set_blocking(write, False)
    previous_fd = signal.set_wakeup_fd(write, warn_on_full_buffer=False)

    def ignore(signum: int, frame: FrameType | None) -> None:
        """The Python-level handler: the watcher thread already acted on the byte the signal wrote."""

    previous = signal.signal(signal.SIGINT, ignore)

    def watch() -> None:
        while True:
            try:
                data = os.read(read, 1)
            except OSError:
                return
            if not data or data == b"\xff":  # closed, or the end-of-block byte
                return
            if stop.is_set():
                os._exit(EXIT_INTERRUPTED)
            stop.set()
            print(message, file=sys.stderr, flush=True)

    watcher = threading.Thread(target=watch, name="interrupt-watcher", daemon=True)
    watcher.start()
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.set_wakeup_fd(previous_fd)
        os.write(write, b"\xff")
        watcher.join(timeout=1)
        os.close(write)
        os.close(read)


@contextmanager
def terminated_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise KeyboardInterrupt, so `finally` blocks run (a sweep closes its
    local Dask scheduler and workers) instead of the process dying with them still running."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
