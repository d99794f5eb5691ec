"""The pure parts of the HTTP policy: redaction, Retry-After, backoff, reading provider errors."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from mysetlist_pipelines.lib.http import (
    HttpPolicy,
    ProviderError,
    QuotaExhausted,
    redact,
    redacting_logger,
    register_secret,
)
from mysetlist_pipelines.lib.http.policy import error_detail, quota_exhausted_until, retry_after_seconds

KEY = "tm-key-0123456789abcdef0123456789ab"


def test_redact_masks_known_secrets_and_secret_shapes() -> None:
    register_secret(KEY)
    text = redact(
        f"GET /discovery/v2/events.json?apikey={KEY}&size=200 "
        "Authorization: Bearer BQD-abc.def_123456 x-api-key: 1234abcd-ffff "
        '{"access_token": "tok-123456789", "client_secret": "s3cr3t-value"} '
        "Rate limit quota violation. Quota limit  exceeded. Identifier : someotherkey123 "
        "plain text with the key inside: " + KEY
    )
    for secret in (
        KEY,
        "BQD-abc.def_123456",
        "1234abcd-ffff",
        "tok-123456789",
        "s3cr3t-value",
        "someotherkey123",
    ):
        assert secret not in text
    assert "size=200" in text and "plain text with the key inside" in text


def test_short_values_are_not_treated_as_secrets() -> None:
    register_secret("US")
    assert redact("market US") == "market US"


def test_log_records_are_redacted_args_and_tracebacks_included(caplog: pytest.LogCaptureFixture) -> None:
    register_secret(KEY)
    logger = redacting_logger("mysetlist_pipelines.tests.redaction")
    with caplog.at_level(logging.DEBUG, logger="mysetlist_pipelines.tests.redaction"):
        logger.warning("calling %s", f"https://x/events.json?apikey={KEY}")
        try:
            raise RuntimeError(f"boom {KEY}")
        except RuntimeError:
            logger.exception("failed")
    assert KEY not in caplog.text
    assert "apikey=[REDACTED]" in caplog.text and "boom [REDACTED]" in caplog.text


def test_third_party_url_logging_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    import mysetlist_pipelines.lib.http.session  # noqa: F401  (installs the filters)

    with caplog.at_level(logging.DEBUG, logger="urllib3.connectionpool"):
        logging.getLogger("urllib3.connectionpool").debug(
            '%s://%s:%s "%s %s %s" %s %s',
            "http",
            "h",
            80,
            "GET",
            f"/events.json?apikey={KEY}",
            "HTTP/1.1",
            200,
            10,
        )
    assert KEY not in caplog.text and "apikey=[REDACTED]" in caplog.text


def test_exception_text_is_redacted() -> None:
    register_secret(KEY)
    err = ProviderError(
        "ticketmaster", f"quota body echoed {KEY}", endpoint="ticketmaster:events", status=429
    )
    assert KEY not in str(err) and KEY not in repr(err) and KEY not in err.message
    assert str(err).startswith("Ticketmaster (ticketmaster:events): HTTP 429:")


def test_retry_after_seconds_and_http_dates() -> None:
    now = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds({"Retry-After": "7"}, now) == 7.0
    assert retry_after_seconds({"Retry-After": "Fri, 01 May 2026 12:00:30 GMT"}, now) == 30.0
    assert retry_after_seconds({}, now) is None
    assert retry_after_seconds({"Retry-After": "soon"}, now) is None


def test_backoff_grows_from_the_documented_step_with_bounded_jitter() -> None:
    policy = HttpPolicy(backoff_seconds=2.0, max_retry_wait=120)
    assert policy.backoff(1, lambda: 0.0) == 2.0
    assert policy.backoff(2, lambda: 0.0) == 4.0
    assert policy.backoff(3, lambda: 1.0) == 10.0  # 8 s plus the full 25 % jitter
    assert policy.backoff(10, lambda: 0.5) == 120  # never beyond the cap


def test_error_detail_reads_every_provider_shape() -> None:
    assert error_detail(
        {"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}}
    ) == (
        "Too many requests",
        "QUOTA_EXCEEDED",
    )
    assert error_detail(
        {"errors": [{"code": "DIS1015", "detail": "Invalid date format", "status": "400"}]}
    ) == (
        "Invalid date format",
        "DIS1015",
    )
    assert (
        error_detail(
            {"fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}}
        )[1]
        == "oauth.v2.InvalidApiKey"
    )
    assert error_detail({"code": 404, "status": "Not Found", "message": "not found"}) == ("not found", "404")
    assert error_detail({"error": "invalid_client", "error_description": "Invalid client"}) == (
        "Invalid client",
        "invalid_client",
    )
    assert error_detail("<html>") == ("", None)


def test_quota_signals_per_provider() -> None:
    now = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
    spotify = quota_exhausted_until(
        "spotify",
        {"Retry-After": "48925"},
        {"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}},
        now,
    )
    assert spotify is not None and spotify[0] == now + timedelta(seconds=48925)
    tm = quota_exhausted_until(
        "ticketmaster",
        {},
        {
            "fault": {
                "faultstring": f"Identifier : {KEY}",
                "detail": {"errorcode": "policies.ratelimit.QuotaViolation"},
            }
        },
        now,
    )
    assert tm is not None and tm[0] == datetime(2026, 5, 2, tzinfo=UTC) and KEY not in tm[1]
    assert quota_exhausted_until("spotify", {"Retry-After": "2"}, {"error": {"status": 429}}, now) is None
    assert quota_exhausted_until("setlistfm", {}, None, now) is None


def test_quota_error_is_a_rate_limit_with_until() -> None:
    until = datetime(2026, 5, 2, tzinfo=UTC)
    err = QuotaExhausted("spotify", "gone", until=until)
    assert err.until == until
