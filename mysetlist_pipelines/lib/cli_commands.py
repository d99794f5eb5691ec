"""What each `mysetlist` command does once its arguments are read: one handler per command, each
importing what it needs only when it runs (so `mysetlist --help` stays fast) and returning the exit code.

Apart from the command line itself (mysetlist_pipelines/cli.py: the parser and `main`) because the
argument surface and the work behind it change for different reasons.
"""

from __future__ import annotations

import argparse
import sys


def run_check_env(args: argparse.Namespace) -> int:
    from .checkenv import check_env

    report = check_env(production=args.production)
    print(report.render())
    return 0 if report.ok else 1


def run_db_migrate(args: argparse.Namespace) -> int:
    from .db.migrate import MigrationError, migrate
    from .db.runtime import resolve
    from .db.urls import libpq_url, redact_url
    from .settings import get_settings

    settings = get_settings()
    configured = settings.secret("database_url")
    # With DATABASE_URL set only the app's database is touched: resolve() would also set up Dagster's
    # storage (a `dagster` schema in it), which a migrate Job against Supabase must not do.
    app_url = libpq_url(configured) if configured else resolve(settings).app_url
    try:
        applied = migrate(app_url)
    except MigrationError as exc:
        print(f"migration failed: {exc}", file=sys.stderr)
        return 1
    where = redact_url(app_url) if configured else "embedded PostgreSQL"
    if applied:
        print(f"applied {len(applied)} migration(s) to {where}: {', '.join(applied)}")
    else:
        print(f"{where} is up to date; nothing to apply")
    return 0


def run_sandbox(args: argparse.Namespace) -> int:
    from .dev_setup import SandboxNotInstalled, sandbox_server

    try:
        server = sandbox_server()
    except SandboxNotInstalled as exc:
        print(f"mysetlist sandbox: {exc}", file=sys.stderr)
        return 2
    try:
        server.serve_forever(
            host=args.host,
            port=args.port,
            faults=args.fault,
            enforce_rates=args.enforce_rates,
            today=args.today,
            synthetic_artists=args.synthetic_artists,
        )
    except (ValueError, OSError) as exc:  # a bad --fault or --today, a port in use
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    return 0


def run_dev_command(args: argparse.Namespace) -> int:
    from .devserver import run_dev

    return run_dev(port=args.port, host=args.host, sandbox_port=args.sandbox_port)


def run_import(args: argparse.Namespace) -> int:
    from .jobs_cli import import_artist

    return import_artist(args.artist, job_type=args.job_type, priority=args.priority, wait=args.wait)


def run_jobs(args: argparse.Namespace) -> int:
    from .jobs_cli import cancel_job, list_jobs

    if args.jobs_command == "cancel":
        return cancel_job(args.job_id)
    return list_jobs(limit=args.limit, status=args.status)


def run_status(args: argparse.Namespace) -> int:
    from .jobs_cli import show_status

    return show_status(as_json=args.json)
