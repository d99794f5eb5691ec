"""`mysetlist check-env`: per variable, whether it is set, valid, and what it means for a run.

Never prints a secret: secrets show as `set (N chars)`, URLs with their password masked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import SecretStr, ValidationError

from .db.urls import redact_url
from .providers import registry
from .settings import MIN_SECRET_LENGTH, Settings, env_name


@dataclass
class Line:
    variable: str
    state: str  # "set" | "unset"
    verdict: str  # "ok" | "warning" | "invalid"
    meaning: str


@dataclass
class Report:
    lines: list[Line] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(line.verdict != "invalid" for line in self.lines)

    def render(self) -> str:
        width = max(len(line.variable) for line in self.lines)
        out = [
            f"{line.variable:<{width}}  {line.state:<5}  {line.verdict:<7}  {line.meaning}"
            for line in self.lines
        ]
        return "\n".join([*out, "", *self.summary])


def check_env(
    production: bool = False, env_file: Path | None = Path(".env"), settings_type: type[Settings] = Settings
) -> Report:
    """`settings_type`: the settings model to read (Settings; a test's with one more provider mixed in)."""
    raw = _raw_values(env_file)
    settings, errors = _load(env_file, settings_type)
    report = Report()

    for name in settings_type.model_fields:
        var = env_name(name, settings_type)
        value = raw.get(var)
        state = "set" if value not in (None, "") else "unset"
        if name in errors:
            report.lines.append(Line(var, state, "invalid", errors[name]))
            continue
        verdict, meaning = _describe(name, settings, state == "set")
        report.lines.append(Line(var, state, verdict, meaning))

    for spec in registry.specs():
        label, creds = spec.label, spec.credentials
        present = [c for c in creds if getattr(settings, c) is not None]
        if len(present) == len(creds):
            where = redact_url(getattr(settings, spec.urls[0]))
            report.summary.append(f"{label}: live API at {where}, with credentials")
        elif present:
            missing = ", ".join(env_name(c, settings_type) for c in creds if c not in present)
            _mark_invalid(report, missing, f"{label} credentials are incomplete: {missing} is missing")
            report.summary.append(f"{label}: credentials incomplete ({missing} missing)")
        elif production:
            for cred in creds:
                _mark_invalid(report, env_name(cred, settings_type), f"{label}: required with --production")
            report.summary.append(f"{label}: NO CREDENTIALS (required with --production)")
        else:
            report.summary.append(f"{label}: sandbox, no credentials (`mysetlist dev` serves a local fake)")
    _alert_lines(report, env_file)
    report.summary.append("OK" if report.ok else "INVALID: fix the lines marked invalid")
    return report


def _alert_lines(report: Report, env_file: Path | None) -> None:
    """SENTRY_DSN / MONITORING_ENABLED / the webhook (lib/alerts.py): where alerts go, host only."""
    from pydantic import ValidationError

    from .alerts import AlertSettings

    try:
        alerts = AlertSettings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        for err in exc.errors():
            report.lines.append(Line(str(err["loc"][0]), "set", "invalid", err["msg"]))
        return
    if alerts.sentry_on:
        sentry = f"Sentry alerts to {alerts.sentry_host()}"
    elif alerts.sentry_dsn:
        sentry = "Sentry off (MONITORING_ENABLED=false)"
    else:
        sentry = "no Sentry alerts"
    report.lines.append(Line("SENTRY_DSN", "set" if alerts.sentry_dsn else "unset", "ok", sentry))
    hook = alerts.webhook_url
    host = urlsplit(hook).hostname if hook else None
    report.lines.append(
        Line(
            "MYSETLIST_ALERT_WEBHOOK_URL",
            "set" if hook else "unset",
            "ok",
            f"webhook alerts to {host}, at most one per outage per {alerts.cooldown_seconds:g} s"
            if hook
            else "no webhook alerts",
        )
    )
    report.summary.append(f"Alerts: {sentry}; {'webhook to ' + str(host) if hook else 'no webhook'}")


def _raw_values(env_file: Path | None) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    if env_file is not None and env_file.is_file():
        values.update({k.upper(): v for k, v in dotenv_values(env_file).items()})
    values.update({k.upper(): v for k, v in os.environ.items()})
    return values


def _load(env_file: Path | None, settings_type: type[Settings]) -> tuple[Settings, dict[str, str]]:
    """Settings with each invalid field replaced by its default, and the errors by field name."""
    try:
        return settings_type(_env_file=env_file), {}  # type: ignore[call-arg]
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors(include_input=False, include_url=False):
            loc = str(error["loc"][0]) if error["loc"] else ""
            name = _field_for(loc, settings_type)
            errors[name] = error["msg"].removeprefix("Value error, ")
        defaults = {name: settings_type.model_fields[name].default for name in errors}
        return settings_type(_env_file=env_file, **defaults), errors  # type: ignore[call-arg]


def _field_for(loc: str, settings_type: type[Settings]) -> str:
    for name in settings_type.model_fields:
        if loc.lower() in (name, env_name(name, settings_type).lower()):
            return name
    return loc


def _mark_invalid(report: Report, variable: str, meaning: str) -> None:
    for line in report.lines:
        if line.variable in variable.split(", ") and line.verdict != "invalid":
            line.verdict, line.meaning = "invalid", meaning


def _describe(name: str, settings: Settings, is_set: bool) -> tuple[str, str]:
    value = getattr(settings, name)
    if name == "database_url":
        if value is None:
            return "ok", f"app data in an embedded PostgreSQL under {settings.data_dir / 'pg'}"
        return "ok", f"app data in {redact_url(value.get_secret_value())}"
    if name == "dagster_postgres_url":
        if value is not None:
            return "ok", f"Dagster storage in {redact_url(value.get_secret_value())}"
        if settings.database_url is None:
            return "ok", "Dagster storage in its own `dagster` database on the embedded server"
        return "ok", "Dagster storage in schema `dagster` of DATABASE_URL's database"
    if isinstance(value, SecretStr) or (value is None and _is_credential(name)):
        if value is None:
            return "ok", "not set"
        length = len(value.get_secret_value())
        if length < MIN_SECRET_LENGTH:
            return "warning", f"set ({length} chars): shorter than {MIN_SECRET_LENGTH}, likely a placeholder"
        return "ok", f"set ({length} chars)"
    defaults = _default_urls()
    if name in defaults:
        shown = redact_url(value)
        if value == defaults[name]:
            return "ok", f"{shown} (default)"
        warning = "plain http to a non-local host" if _insecure(value) else ""
        return ("warning", f"{shown}: {warning}") if warning else ("ok", f"{shown} (override)")
    if name in {spec.rate for spec in registry.specs()}:
        return "ok", f"{value:g} requests/s, shared by every run"
    if name in {spec.quota for spec in registry.specs()}:
        return "ok", f"{value} calls a day, shared by every run"
    return "ok", f"{value}" + ("" if is_set else " (default)")


def _is_credential(name: str) -> bool:
    return name in registry.credential_fields()


def _default_urls() -> dict[str, str]:
    return {name: url for spec in registry.specs() for name, url in spec.url_defaults().items()}


def _insecure(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1")
