"""Alerts (lib/alerts/) against a real Postgres and a local HTTP server standing in for Sentry's
ingest endpoint (a DSN `http://key@127.0.0.1:PORT/1`) and for the chat webhook: failed jobs of one
outage group into one Sentry fingerprint, the webhook speaks once per cooldown, nothing secret leaves,
and a webhook that hangs does not hold anything up."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import psycopg
import pytest

from mysetlist_pipelines.lib import alerts, tracking
from mysetlist_pipelines.lib.alerts import sentry_events
from mysetlist_pipelines.lib.checkenv import check_env
from mysetlist_pipelines.lib.http import CircuitOpen, QuotaExhausted
from mysetlist_pipelines.lib.providers.clients import Providers
from mysetlist_pipelines.lib.tracking import RunInfo, RunOutcome
from mysetlist_pipelines_tests.polling import poll
from mysetlist_sandbox.server import SandboxServer

from .tracking_helpers import insert_job

SECRET = "client_secret=s3cr3tvalue42"


class Receiver:
    """Collects Sentry envelopes' events and webhook bodies; the webhook may be told to hang."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.hooks: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self.hook_delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                receiver.raw.append(body)
                if self.path.startswith("/api/1/envelope"):
                    for line in body.splitlines():
                        item = json.loads(line) if line.startswith(b"{") else {}
                        if "fingerprint" in item or item.get("level") == "error":
                            receiver.events.append(item)
                else:
                    time.sleep(receiver.hook_delay)
                    receiver.hooks.append(json.loads(body))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    r = Receiver()
    monkeypatch.setenv("SENTRY_DSN", f"http://publickey@127.0.0.1:{r.port}/1")
    monkeypatch.setenv("MYSETLIST_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{r.port}/hook")
    monkeypatch.setenv("MYSETLIST_ALERT_COOLDOWN_SECONDS", "900")
    yield r
    import sentry_sdk

    sentry_sdk.flush(5)
    sentry_sdk.init(dsn=None)  # this process reports nowhere after the test
    sentry_events._initialised = None
    r.server.shutdown()


def _failed_job(db: psycopg.Connection, name: str, error: str, provider: str) -> str:
    job_id = insert_job(db, metadata={"artist_name": name}, job_type="catalog_only", auto_retry=False)
    (launch,) = tracking.claim_pending(db, limit=1).launches
    run = RunInfo(
        f"run-{job_id}",
        "catalog_only",
        {**launch.tags, "dagster/run_key": launch.run_key},
        (launch.partition_key,),
    )
    tracking.step_started(db, run, "fetching_artist")
    tracking.step_finished(db, run, "fetching_artist", ok=False, error=error, provider=provider)
    tracking.finish_run(db, run, RunOutcome("failure", datetime.now(UTC)))
    return job_id


def test_one_outage_is_one_sentry_issue_and_one_webhook_message(
    db: psycopg.Connection, receiver: Receiver
) -> None:
    first = _failed_job(db, "Outage One", f"Spotify: HTTP 503 ({SECRET})", "spotify")
    second = _failed_job(db, "Outage Two", f"Spotify: HTTP 503 ({SECRET})", "spotify")
    other = _failed_job(db, "Other Cause", "setlist.fm: HTTP 500", "setlistfm")

    receiver.hook_delay = 10  # a hanging webhook
    assert alerts.init_monitoring()  # once per process (as at import of the definitions), not timed
    started = time.monotonic()
    assert sorted(alerts.jobs_ended(db, [first, second, other])) == sorted([first, second, other])
    assert time.monotonic() - started < 2  # the alerts did not wait for it
    import sentry_sdk

    sentry_sdk.flush(10)
    poll(lambda: len(receiver.events) >= 3, 15, "three Sentry events")
    poll(lambda: len(receiver.hooks) >= 2, 30, "two webhook messages")

    by_job = {e["tags"]["sync_job_id"]: e for e in receiver.events}
    assert by_job[first]["fingerprint"] == by_job[second]["fingerprint"]  # one outage, one issue
    assert by_job[first]["fingerprint"] != by_job[other]["fingerprint"]
    tags = by_job[first]["tags"]
    assert (tags["provider"], tags["job_type"], tags["step"], tags["artist"]) == (
        "spotify",
        "catalog_only",
        "fetching_artist",
        "Outage One",
    )
    # The webhook: one message for the Spotify outage (cooldown), one for setlist.fm.
    texts = [h["text"] for h in receiver.hooks]
    assert len(texts) == 2 and sum("Spotify: HTTP 503" in t for t in texts) == 1
    # Again within the cooldown: Sentry hears it, the webhook does not.
    third = _failed_job(db, "Outage Three", "Spotify: HTTP 503", "spotify")
    alerts.jobs_ended(db, [third])
    sentry_sdk.flush(10)
    poll(lambda: len(receiver.events) >= 4, 15, "the fourth Sentry event")
    assert len(receiver.hooks) == 2
    everything = b"".join(receiver.raw)
    assert b"s3cr3tvalue42" not in everything  # (the DSN's public key is Sentry's own auth: it may go there)
    assert not any(b"publickey" in h for h in (json.dumps(x).encode() for x in receiver.hooks))


def test_completed_jobs_and_no_configuration_send_nothing(
    db: psycopg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SENTRY_DSN", "MYSETLIST_ALERT_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    job_id = _failed_job(db, "Quiet Band", "Spotify: HTTP 503", "spotify")
    assert alerts.jobs_ended(db, [job_id]) == []


def test_check_env_names_the_alert_hosts_never_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_DSN", "https://abcdef0123456789@o1.ingest.sentry.io/42")
    monkeypatch.setenv("MYSETLIST_ALERT_WEBHOOK_URL", "https://hooks.slack.com/services/T0/B0/XYZsecret")
    text = check_env(env_file=None).render()
    assert "Sentry alerts to o1.ingest.sentry.io" in text and "webhook alerts to hooks.slack.com" in text
    assert "abcdef0123456789" not in text and "XYZsecret" not in text
    monkeypatch.setenv("MONITORING_ENABLED", "false")
    assert "Sentry off (MONITORING_ENABLED=false)" in check_env(env_file=None).render()


def test_an_open_breaker_and_a_spent_budget_alert_once_each(
    receiver: Receiver, sandbox_env: SandboxServer, make_providers: Callable[..., Providers]
) -> None:
    ref = sandbox_env.artist("velvet-static")
    providers = make_providers(
        http_max_retries=6,
        breaker_failure_threshold=3,
        breaker_cooldown_seconds=0.5,
        ticketmaster_daily_quota=1,
    )
    sandbox_env.add_fault("setlistfm", "502", count=-1)
    for _ in range(3):  # the breaker opens, then fails fast (and reopens) on every later call
        with pytest.raises(CircuitOpen):
            providers.setlistfm.artist(ref.mbid)
    providers.ticketmaster.attraction(ref.tm_attraction_id)
    for _ in range(3):
        with pytest.raises(QuotaExhausted):
            providers.ticketmaster.attraction(ref.tm_attraction_id)
    import sentry_sdk

    sentry_sdk.flush(10)
    poll(lambda: len(receiver.events) >= 2 and len(receiver.hooks) >= 2, 15, "the two provider alerts")
    fingerprints = sorted(tuple(e["fingerprint"]) for e in receiver.events)
    assert fingerprints == [("provider", "setlistfm", "breaker_open"), ("provider", "ticketmaster", "budget")]
    texts = sorted(h["text"] for h in receiver.hooks)
    assert texts[0].startswith("Ticketmaster: today's call budget is spent until ")
    assert texts[1].startswith("setlist.fm: circuit breaker open until ") and "502" in texts[1]
    key = providers.ticketmaster._api_key
    assert key and key.encode() not in b"".join(receiver.raw)
