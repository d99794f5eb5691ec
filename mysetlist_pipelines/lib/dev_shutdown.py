"""Stopping the `dagster dev` child cleanly: wait for it while nothing asks to stop; once asked, give it
its grace period after the SIGINT, then SIGTERM, then SIGKILL, always to its whole process group.

Apart from the command (devserver.py) because it is the only process handling there, and the part that
must never leave a Dagster process behind.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import threading

log = logging.getLogger("mysetlist.dev")

_SHUTDOWN_GRACE_SECONDS = 30


def wait_for_child(child: subprocess.Popen[bytes], stopping: threading.Event) -> int:
    while not stopping.is_set():
        try:
            return child.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            continue
    try:
        return child.wait(timeout=_SHUTDOWN_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        log.warning("Dagster did not stop within %ss; terminating it", _SHUTDOWN_GRACE_SECONDS)
        signal_group(child, signal.SIGTERM)
        try:
            return child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            signal_group(child, signal.SIGKILL)
            return child.wait()


def signal_group(child: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, sig)
