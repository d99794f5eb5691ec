"""`mysetlist dev` with nothing configured: embedded Postgres, migrations, sandbox, Dagster UI and
daemon up on loopback, the code location loaded, and a clean stop on SIGTERM or SIGINT."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

QUERY = """{ repositoriesOrError { ... on RepositoryConnection { nodes {
  name jobs { name } sensors { name sensorState { status } } schedules { name scheduleState { status } }
} } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": QUERY}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _wait_for_location(proc: subprocess.Popen[bytes], port: int, deadline: float) -> dict:
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"mysetlist dev exited early with {proc.returncode}")
        try:
            nodes = _graphql(port)["data"]["repositoriesOrError"].get("nodes") or []
            if nodes and nodes[0]["jobs"]:
                return nodes[0]
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.5)
    raise AssertionError(f"the Dagster UI did not come up on port {port}: {last}")


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("stop_signal", "sigint_ignored"),
    [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGTERM, True)],
    ids=["SIGTERM", "SIGINT", "SIGTERM-from-a-script"],
)
def test_dev_brings_everything_up_and_stops_cleanly(
    tmp_path: Path, stop_signal: signal.Signals, sigint_ignored: bool
) -> None:
    """`sigint_ignored`: started as a script's background job (`mysetlist dev &` ignores SIGINT, and
    would pass that on to `dagster dev`, which then ignores SIGTERM too), stopped with `kill`."""
    port = _free_port()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DAGSTER_", "SPOTIFY_"))}
    env.update({"MYSETLIST_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"})
    for key in ("TICKETMASTER_API_KEY", "SETLISTFM_API_KEY", "TICKETMASTER_API_URL", "SETLISTFM_API_URL"):
        env.pop(key, None)
    log = (tmp_path / "dev.log").open("wb")
    command = [sys.executable, "-m", "mysetlist_pipelines.cli", "dev", "--port", str(port)]
    if sigint_ignored:
        command = ["sh", "-c", 'trap "" INT; exec "$@"', "sh", *command]
    proc = subprocess.Popen(
        command,
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        location = _wait_for_location(proc, port, time.monotonic() + 180)
        assert {"full_sync", "catalog_only", "shows_only", "update"} <= {j["name"] for j in location["jobs"]}
        assert location["sensors"] and all(
            s["sensorState"]["status"] == "RUNNING" for s in location["sensors"]
        )
        # Every schedule runs from the start, except the signal plan: it replaces the refresh timers
        # only when an operator switches it on (both would spend the same daily budgets).
        states = {s["name"]: s["scheduleState"]["status"] for s in location["schedules"]}
        assert states.pop("signal_plan") == "STOPPED"
        assert states and set(states.values()) == {"RUNNING"}, states
        assert (data / "pg" / "PG_VERSION").is_file()  # the embedded server, in the data folder
        text = (tmp_path / "dev.log").read_text(errors="replace")
        assert "sandbox for Spotify, Ticketmaster, setlist.fm" in text
        assert f"Dagster UI     http://127.0.0.1:{port}" in text and "mysetlist import" in text
        # Dagster's per-tick INFO lines stay out of the terminal (LOG_LEVEL is not DEBUG).
        assert " - INFO - " not in text

        os.kill(proc.pid, stop_signal)
        assert proc.wait(timeout=90) == 0
    finally:
        if proc.poll() is None:
            # A failed assertion above must not leave `dagster dev` (its own session) running.
            for child in psutil.Process(proc.pid).children(recursive=True):
                with contextlib.suppress(psutil.NoSuchProcess):
                    child.kill()
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
    text = (tmp_path / "dev.log").read_text(errors="replace")
    assert "stopped" in text and "terminating it" not in text
    # Nothing left behind: no Dagster process of this run, and the embedded server stopped.
    leftovers = [
        p.info["pid"]
        for p in psutil.process_iter(["pid", "cmdline"])
        if "dagster" in " ".join(p.info["cmdline"] or []) and str(port) in (p.info["cmdline"] or [])
    ]
    assert not leftovers
    assert not (data / "pg" / "postmaster.pid").exists()


def test_the_banner_never_shows_the_database_password() -> None:
    from mysetlist_pipelines.lib.devserver import banner

    text = banner(
        "http://127.0.0.1:3000",
        "postgresql://app:s3cret-pw@127.0.0.1:5433/mysetlist",
        "http://127.0.0.1:8765",
        ["spotify", "setlistfm"],
        "warning",
    )
    assert "s3cret-pw" not in text and "postgresql://app:***@127.0.0.1:5433/mysetlist" in text
    assert "http://127.0.0.1:3000" in text and "Spotify, setlist.fm" in text
    assert "WARNING and above (LOG_LEVEL=DEBUG shows all)" in text
