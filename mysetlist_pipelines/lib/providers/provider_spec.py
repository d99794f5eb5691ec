"""What the pipelines know about one provider, declared once in its own folder (`<name>/spec.py`) and
listed in registry.py. Everything generic reads it from there: the settings (its fields are the
spec's settings model), the clients bundle (sessions, pacing, quotas, breaker), the HTTP errors'
labels, check-env, status, the devserver's sandbox stand-in, the request id checks and the fleet's
per-run calls.

This module imports nothing of the project: Settings is built from the specs, so a spec must be
readable before the settings (and lib/http, which reads them) exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, SecretStr

if TYPE_CHECKING:
    from ..http import ProviderLimits, ProviderSession


def is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def blank_is_unset(value: object) -> object:
    """`KEY=` in a `.env` means "not configured", not an empty secret."""
    if isinstance(value, str) and not value.strip():
        return None
    return value.strip() if isinstance(value, str) else value


def _http_url(value: str) -> str:
    value = value.strip()
    if not is_http_url(value):
        raise ValueError("must be an http(s) URL such as https://host/path")
    return value.rstrip("/")


# The two field types a provider's settings use; the validation travels with the type, so a spec's
# settings model needs no validators of its own.
Credential = Annotated[SecretStr | None, BeforeValidator(blank_is_unset)]
ApiUrl = Annotated[str, AfterValidator(_http_url)]


@dataclass(frozen=True)
class IdFormat:
    """The real format of the provider's artist id, checked before an id reaches a URL path, a
    partition key or a query (lib/external_ids.py)."""

    column: str  # the artists column (and request field) holding it
    pattern: re.Pattern[str]
    hint: str  # what a valid one looks like, for the error message
    lower: bool = False  # stored in its canonical lower-case form


@dataclass(frozen=True)
class ProviderSpec:
    """One provider. `name` is the key everywhere state is kept per provider: pacing rows, endpoint
    names (`spotify:album`), `sync_step_state.provider`, the sandbox's fakes."""

    name: str
    label: str  # what a person reads (errors, check-env, status, alerts)
    settings: type[BaseModel]  # its fields, mixed into lib/settings.Settings (app-contract's env names)
    credentials: tuple[str, ...]  # the settings that make up its credentials; none = the sandbox
    urls: tuple[str, ...]  # its URL settings; the first is the API base check-env reports
    rate: str  # the settings field: requests per second, shared by every process
    quota: str  # the settings field: calls per UTC day, shared by every process
    # `build_client(settings, session)`: its client over one ProviderSession (the shared policy).
    build_client: Callable[[Any, ProviderSession], Any]
    burst: str | None = None  # the settings field of its burst, if it has one (else 1)
    calls_per_run: int = 0  # calls every run process pays once whatever it does (Spotify's token)
    id_format: IdFormat | None = None
    # How a 429 says the day's quota (not the rate) is gone, if the provider can say:
    # `quota_exhausted(headers, error_code, now)` -> (until, why) or None (lib/http/policy.py).
    quota_exhausted: (
        Callable[[Mapping[str, str], str | None, datetime], tuple[datetime, str] | None] | None
    ) = None
    forbidden_hint: str = ""  # added to a 403's message: what a 403 usually means at this provider

    def limits(self, settings: Any) -> ProviderLimits:
        from ..http import ProviderLimits  # lib/http reads the settings, which read this module

        burst = getattr(settings, self.burst) if self.burst else 1
        return ProviderLimits(getattr(settings, self.rate), getattr(settings, self.quota), burst)

    def has_credentials(self, settings: Any) -> bool:
        return all(getattr(settings, field) is not None for field in self.credentials)

    def url_defaults(self) -> dict[str, str]:
        """Each URL setting's default: the real service."""
        fields = self.settings.model_fields
        return {name: fields[name].default for name in self.urls}

    def mentioned_in(self, text: str) -> bool:
        """Whether `text` names this provider, by key or label (`setlistfm`, `setlist.fm`)."""
        lowered = text.lower()
        return self.name in lowered or self.label.lower() in lowered
