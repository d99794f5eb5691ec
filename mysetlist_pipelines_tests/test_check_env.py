from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mysetlist_pipelines.lib.settings import Settings, env_name

SECRETS = {
    "SPOTIFY_CLIENT_ID": "spotify-id-0123456789abcdef0123456789",
    "SPOTIFY_CLIENT_SECRET": "spotify-secret-0123456789abcdef012345",
    "TICKETMASTER_API_KEY": "tm-key-0123456789abcdef0123456789abcd",
    "SETLISTFM_API_KEY": "setlistfm-key-0123456789abcdef01234567",
}
DB_PASSWORD = "db-password-s3cr3t"


def _run(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # A clean environment: only what the test sets, run from an empty folder (no stray .env).
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MYSETLIST_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(
        [sys.executable, "-m", "mysetlist_pipelines.cli", "check-env", *args],
        env={**base, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _line(output: str, variable: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(variable + " "))


def test_nothing_set_means_embedded_and_sandbox(tmp_path: Path) -> None:
    result = _run(tmp_path, {})
    assert result.returncode == 0, result.stdout + result.stderr
    for field in Settings.model_fields:
        assert env_name(field) in result.stdout
    assert "embedded PostgreSQL" in _line(result.stdout, "DATABASE_URL")
    assert "Spotify: sandbox, no credentials" in result.stdout
    assert "Ticketmaster: sandbox, no credentials" in result.stdout
    assert "setlist.fm: sandbox, no credentials" in result.stdout


def test_everything_set_is_valid_and_secret_free(tmp_path: Path) -> None:
    env = {
        **SECRETS,
        "DATABASE_URL": f"postgresql://app:{DB_PASSWORD}@db.example.com:5432/app",
        "DAGSTER_POSTGRES_URL": f"postgresql://dagster:{DB_PASSWORD}@db.example.com:5432/dagster",
        "SPOTIFY_RATE_LIMIT_PER_SECOND": "3",
        "TICKETMASTER_RATE_LIMIT_PER_SECOND": "2.5",
        "SETLISTFM_RATE_LIMIT_PER_SECOND": "1",
        "LOG_LEVEL": "debug",
        "SPOTIFY_API_URL": "https://proxy.example.com/spotify/v1",
    }
    result = _run(tmp_path, env, "--production")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Spotify: live API at https://proxy.example.com/spotify/v1, with credentials" in result.stdout
    assert "invalid" not in result.stdout
    assert "db.example.com:5432/app" in _line(result.stdout, "DATABASE_URL")
    for secret in [*SECRETS.values(), DB_PASSWORD]:
        assert secret not in result.stdout + result.stderr


@pytest.mark.parametrize("variable", ["SPOTIFY_API_URL", "TICKETMASTER_API_URL", "SETLISTFM_API_URL"])
def test_malformed_url_is_invalid(tmp_path: Path, variable: str) -> None:
    result = _run(tmp_path, {variable: "api.example.com/no-scheme"})
    assert result.returncode == 1
    assert "invalid" in _line(result.stdout, variable)
    assert "http(s) URL" in _line(result.stdout, variable)


def test_malformed_database_url_is_invalid_without_echoing_it(tmp_path: Path) -> None:
    result = _run(tmp_path, {"DATABASE_URL": f"mysql://root:{DB_PASSWORD}@h/db"})
    assert result.returncode == 1
    assert "postgresql://" in _line(result.stdout, "DATABASE_URL")
    assert DB_PASSWORD not in result.stdout + result.stderr


def test_short_secret_warns_but_passes(tmp_path: Path) -> None:
    result = _run(tmp_path, {"TICKETMASTER_API_KEY": "abc123"})
    assert result.returncode == 0
    line = _line(result.stdout, "TICKETMASTER_API_KEY")
    assert "warning" in line and "shorter than 32" in line
    assert "abc123" not in result.stdout


def test_production_without_keys_fails(tmp_path: Path) -> None:
    result = _run(tmp_path, {"TICKETMASTER_API_KEY": SECRETS["TICKETMASTER_API_KEY"]}, "--production")
    assert result.returncode == 1
    assert "Spotify: NO CREDENTIALS" in result.stdout
    assert "invalid" in _line(result.stdout, "SETLISTFM_API_KEY")
    assert "Ticketmaster: live API" in result.stdout


def test_half_set_spotify_credentials_are_invalid(tmp_path: Path) -> None:
    result = _run(tmp_path, {"SPOTIFY_CLIENT_ID": SECRETS["SPOTIFY_CLIENT_ID"]})
    assert result.returncode == 1
    assert "SPOTIFY_CLIENT_SECRET is missing" in _line(result.stdout, "SPOTIFY_CLIENT_SECRET")


def test_bad_number_and_level_are_invalid(tmp_path: Path) -> None:
    result = _run(tmp_path, {"SETLISTFM_RATE_LIMIT_PER_SECOND": "-1", "LOG_LEVEL": "chatty"})
    assert result.returncode == 1
    assert "invalid" in _line(result.stdout, "SETLISTFM_RATE_LIMIT_PER_SECOND")
    assert "invalid" in _line(result.stdout, "LOG_LEVEL")


def test_values_from_dotenv_file_count(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"SETLISTFM_API_KEY={SECRETS['SETLISTFM_API_KEY']}\n")
    result = _run(tmp_path, {})
    assert result.returncode == 0
    assert "set (38 chars)" in _line(result.stdout, "SETLISTFM_API_KEY")
    assert SECRETS["SETLISTFM_API_KEY"] not in result.stdout
