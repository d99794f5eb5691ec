"""The one redactor (lib/redaction.py): both of its uses, and that every path goes through it.

Before it there were two (lib/http/redaction.py for log lines and provider errors, lib/tracking/
redact.py for the app's rows and alerts) with different patterns: each knew secrets the other let
through. These tests hold both old behaviours and the union.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from mysetlist_pipelines.lib import alerts, redaction
from mysetlist_pipelines.lib.http import ProviderError
from mysetlist_pipelines.lib.redaction import MASK, redact, redact_error, redacting_logger, register_secret
from mysetlist_pipelines.lib.settings import get_settings

TOKEN = "BQD-issued-token-0123456789"  # registered at run time, as a client does with each token
TM_KEY = "tm-configured-key-98765"  # in the settings only


@pytest.fixture
def configured_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A Ticketmaster key present in the settings (the environment), never registered."""
    monkeypatch.setenv("TICKETMASTER_API_KEY", TM_KEY)
    get_settings.cache_clear()
    redaction._configured_secrets.cache_clear()
    yield TM_KEY
    monkeypatch.delenv("TICKETMASTER_API_KEY")
    get_settings.cache_clear()
    redaction._configured_secrets.cache_clear()


# Secret shapes the old log redactor knew, and the ones only the old row redactor knew.
SHAPES = [
    ("GET /discovery/v2/events.json?apikey=abcdef123456&size=200", "abcdef123456", "size=200"),
    ("POST /api/token client_id=my-client-id-1&grant_type=x", "my-client-id-1", "grant_type=x"),
    ("Authorization: Bearer BQD3xyzabcdefghijkl", "BQD3xyzabcdefghijkl", "Authorization"),
    ("x-api-key: '1234abcd-ffff'", "1234abcd-ffff", "x-api-key"),
    ('{"access_token": "tok 123 456", "expires_in": 3600}', "tok 123 456", "expires_in"),
    ("Quota limit exceeded. Identifier : someotherkey123", "someotherkey123", "Quota limit"),
    ("connect postgresql://app:hunter2secret@db:5432/mysetlist failed", "hunter2secret", "db:5432"),
    ("password: pa55word-x refresh_token=rt-0987654", "pa55word-x", "password"),
    ("refresh_token=rt-0987654 and more", "rt-0987654", "and more"),
]


@pytest.mark.parametrize(("text", "secret", "kept"), SHAPES)
def test_every_secret_shape_is_masked_in_both_forms(text: str, secret: str, kept: str) -> None:
    for out in (redact(text), redact_error(text) or ""):
        assert secret not in out and MASK in out
        assert kept in out


def test_registered_and_configured_values_are_masked_wherever_they_appear(configured_key: str) -> None:
    register_secret(TOKEN)
    text = f"plain text with {TOKEN} inside, and the key {configured_key} too"
    for out in (redact(text), redact_error(text) or ""):
        assert TOKEN not in out and configured_key not in out
        assert out.count(MASK) == 2 and out.startswith("plain text with")


def test_words_are_not_secrets() -> None:
    register_secret("US")
    assert redact("market US, key: the artist key") == "market US, key: the artist key"


def test_log_form_keeps_the_text_and_redacts_records(caplog: pytest.LogCaptureFixture) -> None:
    register_secret(TOKEN)
    assert redact("line one\nline two   spaced") == "line one\nline two   spaced"
    logger = redacting_logger("mysetlist_pipelines.tests.one_redactor")
    with caplog.at_level(logging.DEBUG, logger="mysetlist_pipelines.tests.one_redactor"):
        logger.warning("calling %s", f"https://x/v1/artists?access_token={TOKEN}")
        try:
            raise RuntimeError(f"boom password={TOKEN}")
        except RuntimeError:
            logger.exception("failed")
    assert (
        TOKEN not in caplog.text and f"access_token={MASK}" in caplog.text and "boom password=" in caplog.text
    )


def test_error_form_is_one_bounded_line_and_passes_none() -> None:
    assert redact_error(None) is None
    assert redact_error("first\n  second\tthird") == "first second third"
    long = "x" * 5000
    out = redact_error(long) or ""
    assert len(out) == redaction.MAX_ERROR_LENGTH and out.endswith("…")
    assert redact_error(long, limit=200) == "x" * 199 + "…"


def test_provider_errors_alerts_and_rows_use_the_same_redactor(configured_key: str) -> None:
    """A secret only the old row redactor knew (URL userinfo) is gone from a provider error, and one
    only the old log redactor knew (a registered token) from an alert's Sentry event."""
    register_secret(TOKEN)
    error = ProviderError("spotify", "GET https://user:s3cretpass@api.example/v1 failed")
    assert "s3cretpass" not in str(error)
    event = {"message": f"step failed: Bearer {TOKEN}", "extra": {"key": [f"apikey={configured_key}"]}}
    scrubbed = alerts.before_send(event, {})
    assert TOKEN not in str(scrubbed) and configured_key not in str(scrubbed)
    assert scrubbed["message"].startswith("step failed: Bearer")
