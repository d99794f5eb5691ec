"""The one poll helper (polling.py) that the tests and the benchmarks share."""

from __future__ import annotations

import itertools
import time

import pytest

from mysetlist_pipelines_tests.polling import PollTimeout, poll


def test_poll_returns_the_first_truthy_value() -> None:
    answers = itertools.chain([None, 0, ""], itertools.repeat("ready"))
    calls: list[int] = []

    def condition() -> str | None:
        calls.append(1)
        return next(answers)

    assert poll(condition, timeout=5, what="readiness", interval=0.01) == "ready"
    assert len(calls) == 4


@pytest.mark.parametrize("catch", [AssertionError, TimeoutError])
def test_poll_fails_naming_what_never_happened(catch: type[Exception]) -> None:
    started = time.monotonic()
    with pytest.raises(catch, match="waiting for the moon"):
        poll(lambda: False, timeout=0.2, what="the moon", interval=0.01)
    assert 0.2 <= time.monotonic() - started < 5
    assert issubclass(PollTimeout, AssertionError) and issubclass(PollTimeout, TimeoutError)
