"""Every setting the pipelines read, from the environment and an optional `.env` (app-contract section 4).

Names are the app's own (one `.env` serves both); the few settings the app does not have carry a
`MYSETLIST_` prefix. Secrets are `SecretStr`, so a stray `repr()` or log line shows `**********`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .providers import registry
from .providers.provider_spec import blank_is_unset

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def default_data_dir() -> Path:
    """`.data` in the checkout; an installed wheel has no checkout (PROJECT_ROOT is then the folder
    above site-packages), so there it is `.data` in the working directory."""
    root = PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").is_file() else Path.cwd()
    return root / ".data"


# Below this length a provider secret is almost certainly a placeholder: real Ticketmaster keys and
# Spotify client secrets are 32 characters, setlist.fm keys 36.
MIN_SECRET_LENGTH = 32

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


def is_postgres_url(value: str) -> bool:
    parts = urlsplit(value)
    scheme = parts.scheme.split("+", 1)[0]
    return scheme in ("postgresql", "postgres") and (bool(parts.netloc) or "host=" in parts.query)


# Each provider's fields (credentials, URLs, rate, quota, ...) come from its spec's settings model
# (lib/providers/<name>/spec.py), so a new provider's settings arrive with its folder. Reversed
# because pydantic collects the bases' fields last base first: this way they list in registry order.
class Settings(*reversed([spec.settings for spec in registry.SPECS]), BaseSettings):  # type: ignore[misc]
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        populate_by_name=True,
    )

    database_url: SecretStr | None = Field(
        None, description="the app's Postgres; unset = an embedded Postgres under the data folder"
    )
    dagster_postgres_url: SecretStr | None = Field(
        None, description="Dagster's own storage; unset = a `dagster` database (embedded) or schema"
    )

    # The HTTP policy of every provider call (lib/http). A Retry-After longer than the cap is not
    # slept out: the call fails at once saying until when (Spotify's QUOTA_EXCEEDED asks for hours).
    http_connect_timeout_seconds: float = Field(
        5.0,
        gt=0,
        le=120,
        validation_alias=AliasChoices("MYSETLIST_HTTP_CONNECT_TIMEOUT", "http_connect_timeout_seconds"),
    )
    http_read_timeout_seconds: float = Field(
        30.0,
        gt=0,
        le=600,
        validation_alias=AliasChoices("MYSETLIST_HTTP_READ_TIMEOUT", "http_read_timeout_seconds"),
    )
    http_max_retries: int = Field(
        4, ge=0, le=20, validation_alias=AliasChoices("MYSETLIST_HTTP_MAX_RETRIES", "http_max_retries")
    )
    http_backoff_seconds: float = Field(
        2.0,
        gt=0,
        le=60,
        validation_alias=AliasChoices("MYSETLIST_HTTP_BACKOFF_SECONDS", "http_backoff_seconds"),
    )
    http_max_retry_wait_seconds: float = Field(
        120.0,
        ge=0,
        validation_alias=AliasChoices("MYSETLIST_HTTP_MAX_RETRY_WAIT", "http_max_retry_wait_seconds"),
    )
    breaker_failure_threshold: int = Field(
        5,
        ge=1,
        validation_alias=AliasChoices("MYSETLIST_BREAKER_FAILURE_THRESHOLD", "breaker_failure_threshold"),
    )
    breaker_cooldown_seconds: float = Field(
        60.0,
        gt=0,
        validation_alias=AliasChoices("MYSETLIST_BREAKER_COOLDOWN_SECONDS", "breaker_cooldown_seconds"),
    )

    # The wait before a job's run retry (Dagster's run retries have no delay of their own): the retry
    # run's first step waits base, 2x, 4x ... (capped at 10 min) after the failed run ended
    # (lib/failures.py, defs/tracking/tracked_step.py).
    run_retry_backoff_seconds: float = Field(
        30.0,
        ge=0,
        le=600,
        validation_alias=AliasChoices("MYSETLIST_RUN_RETRY_BACKOFF_SECONDS", "run_retry_backoff_seconds"),
    )

    # Dagster's own storage (defs/schedules/retention.py): finished runs, and their event logs, older
    # than this many days are deleted by the hourly `dagster_run_retention` schedule; 0 keeps them all.
    run_retention_days: int = Field(
        30, ge=0, le=3650, validation_alias=AliasChoices("MYSETLIST_RUN_RETENTION_DAYS", "run_retention_days")
    )

    # Scheduled fleet work (defs/schedules, lib/fleet): artists per batch run, the share of each
    # provider's daily quota kept for the imports the app asks for, and discovery's reach.
    fleet_batch_size: int = Field(
        25, ge=1, le=500, validation_alias=AliasChoices("MYSETLIST_FLEET_BATCH_SIZE", "fleet_batch_size")
    )
    fleet_import_reserve: float = Field(
        0.2,
        ge=0,
        lt=1,
        validation_alias=AliasChoices("MYSETLIST_FLEET_IMPORT_RESERVE", "fleet_import_reserve"),
    )
    # The signal plan (lib/fleet/signals): how setlist.fm is read. `feed` = search/setlists?lastUpdated=
    # alone (assumed to work, docs/operations.md), `per_show` = the fallback, one check per artist
    # whose show happened without a setlist.
    setlistfm_feed: Literal["feed", "per_show"] = Field(
        "feed", validation_alias=AliasChoices("MYSETLIST_SETLISTFM_FEED", "setlistfm_feed")
    )
    discovery_eu_countries: str = Field(
        "GB,IE,DE,NL,BE,FR,ES,IT,AT,CH,SE,DK,NO,FI,PL",
        pattern=r"^[A-Z]{2}(,[A-Z]{2})*$",
        validation_alias=AliasChoices("MYSETLIST_DISCOVERY_EU_COUNTRIES", "discovery_eu_countries"),
    )
    discovery_max_pages: int = Field(
        5,
        ge=1,
        le=50,
        validation_alias=AliasChoices("MYSETLIST_DISCOVERY_MAX_PAGES", "discovery_max_pages"),
    )
    discovery_max_imports: int = Field(
        10,
        ge=0,
        le=500,
        validation_alias=AliasChoices("MYSETLIST_DISCOVERY_MAX_IMPORTS", "discovery_max_imports"),
    )
    trending_imports: int = Field(
        10, ge=0, le=500, validation_alias=AliasChoices("MYSETLIST_TRENDING_IMPORTS", "trending_imports")
    )

    log_level: LogLevel = "INFO"

    data_dir: Path = Field(
        default_factory=default_data_dir,
        validation_alias=AliasChoices("MYSETLIST_DATA_DIR", "data_dir"),
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("database_url", "dagster_postgres_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return blank_is_unset(value)

    @field_validator("database_url", "dagster_postgres_url")
    @classmethod
    def _pg_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not is_postgres_url(value.get_secret_value()):
            # The value itself may hold a password, so the message never repeats it.
            raise ValueError(
                "must be a postgresql:// URL (postgresql://user:pass@host:5432/db "
                "or postgresql://user:@/db?host=/socket/dir)"
            )
        return value

    def secret(self, name: str) -> str | None:
        value = getattr(self, name)
        return value.get_secret_value() if value is not None else None

    def has_credentials(self, provider: str) -> bool:
        return registry.spec(provider).has_credentials(self)


def env_name(field: str, settings_type: type[Settings] | None = None) -> str:
    """The environment variable a field is read from (its first alias, else its upper-cased name)."""
    alias = (settings_type or Settings).model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        first = alias.choices[0]
        return first if isinstance(first, str) else field.upper()
    return field.upper()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
