"""Where alerts go and how often, from the environment: SENTRY_DSN, MONITORING_ENABLED,
MYSETLIST_ALERT_WEBHOOK_URL, MYSETLIST_ALERT_COOLDOWN_SECONDS.

Apart from the channels because check-env reads it without starting any of them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AlertSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    sentry_dsn: str | None = Field(None, validation_alias=AliasChoices("SENTRY_DSN"))
    monitoring_enabled: bool = Field(True, validation_alias=AliasChoices("MONITORING_ENABLED"))
    webhook_url: str | None = Field(None, validation_alias=AliasChoices("MYSETLIST_ALERT_WEBHOOK_URL"))
    cooldown_seconds: float = Field(
        900, ge=0, validation_alias=AliasChoices("MYSETLIST_ALERT_COOLDOWN_SECONDS")
    )

    @property
    def sentry_on(self) -> bool:
        return bool(self.sentry_dsn) and self.monitoring_enabled

    def sentry_host(self) -> str | None:
        """The DSN's host only (never its key), for check-env and logs."""
        return urlsplit(self.sentry_dsn).hostname if self.sentry_dsn else None
