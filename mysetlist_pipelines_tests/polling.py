"""The one poll-until helper of the tests and the benchmarks: wait for a condition, never for a guess.

A test that waits for something another process does (a daemon's tick, a run's end, a server coming
up) asks for the condition itself, with a deadline, instead of sleeping a fixed time: fast when the
system is fast, and a clear failure naming what never happened when it is not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class PollTimeout(AssertionError, TimeoutError):
    """The condition never held: a failed assertion to pytest, a TimeoutError to a benchmark."""


def poll(condition: Callable[[], T], timeout: float, what: str, interval: float = 0.2) -> T:
    """`condition()`'s first truthy value; PollTimeout once `timeout` seconds have passed without one."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise PollTimeout(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)
