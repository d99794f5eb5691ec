"""Postgres URL forms: libpq for psycopg 3, explicit psycopg2 for Dagster's SQLAlchemy storage."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def libpq_url(url: str) -> str:
    """`postgresql+driver://...` or `postgres://...` -> a URL libpq (psycopg 3) accepts as is."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


def sqlalchemy_psycopg2_url(url: str) -> str:
    """Dagster's storage URL. SQLAlchemy 2.1 maps a bare `postgresql://` to psycopg 3, on which
    dagster-postgres fails (`NOTIFY run_events, $1`), so the driver is always named."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql+psycopg2"))


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


def with_search_path(url: str, schema: str) -> str:
    """Pin a session's search_path through libpq `options`, so Dagster's tables land in `schema`."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", f"-csearch_path={schema}"))
    return urlunsplit(parts._replace(query=urlencode(query)))


def redact_url(url: str) -> str:
    """The URL with its password replaced, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)
