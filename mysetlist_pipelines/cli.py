"""The `mysetlist` command: check-env, db migrate, sandbox, dev, import, jobs, status.

This module is the command line (the parser and `main`); what each command does is in
lib/cli_commands.py.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Callable, Sequence

from .lib.cli_commands import (
    run_check_env,
    run_db_migrate,
    run_dev_command,
    run_import,
    run_jobs,
    run_sandbox,
    run_status,
)
from .lib.steps import JOB_TYPES  # the step table, plain data: cheap to import

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mysetlist",
        description="MySetlist sync pipelines: Spotify, Ticketmaster and setlist.fm into the app's Postgres.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check-env", help="report every setting: set, valid, and what it means")
    p.add_argument("--production", action="store_true", help="also require every provider's credentials")
    p.set_defaults(handler=run_check_env)

    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    m = db_sub.add_parser(
        "migrate", help="apply the pending sql/ migrations (embedded Postgres if no DATABASE_URL)"
    )
    m.set_defaults(handler=run_db_migrate)

    s = sub.add_parser("sandbox", help="serve fake Spotify, Ticketmaster and setlist.fm APIs on loopback")
    s.add_argument("--port", type=int, default=8765)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a fault, provider:kind[:count[:seconds]][@endpoint], e.g. spotify:429:2:1, "
        "ticketmaster:500:3, setlistfm:latency:2.0 (repeatable)",
    )
    s.add_argument(
        "--enforce-rates", action="store_true", help="answer 429 when a client exceeds the documented rates"
    )
    s.add_argument("--today", metavar="YYYY-MM-DD", help="the date event and setlist day offsets count from")
    s.add_argument(
        "--synthetic-artists", type=int, default=0, metavar="N", help="add N generated artists (benchmarks)"
    )
    s.set_defaults(handler=run_sandbox)

    d = sub.add_parser("dev", help="embedded Postgres, migrations, sandbox, Dagster UI and daemon")
    d.add_argument("--port", type=int, default=3000, help="Dagster UI port (default 3000)")
    d.add_argument("--host", default="127.0.0.1", help="UI bind address; it has no login, keep it local")
    d.add_argument("--sandbox-port", type=int, default=0, help="sandbox port (default: a free one)")
    d.set_defaults(handler=run_dev_command)

    i = sub.add_parser("import", help="ask for an artist import exactly as the app does (a sync_jobs row)")
    i.add_argument("artist", help="artist name, Spotify id, or Ticketmaster attraction id")
    i.add_argument("--job-type", default="full_sync", choices=JOB_TYPES)
    i.add_argument("--priority", type=int, default=1, choices=[1, 2, 3], help="1 high, 2 normal, 3 low")
    i.add_argument("--wait", action="store_true", help="show live progress until the job ends")
    i.set_defaults(handler=run_import)

    j = sub.add_parser("jobs", help="recent sync jobs with status and progress")
    j.add_argument("--limit", type=int, default=20)
    j.add_argument(
        "--status", choices=["pending", "in_progress", "completed", "failed", "partial", "cancelled"]
    )
    j.set_defaults(handler=run_jobs, jobs_command=None)
    j_sub = j.add_subparsers(dest="jobs_command", required=False, metavar="JOBS_COMMAND")
    c = j_sub.add_parser("cancel", help="cancel a pending or in-progress sync job, as the app does")
    c.add_argument("job_id", metavar="ID", help="the sync_jobs id (or a unique prefix, as `jobs` prints)")

    st = sub.add_parser("status", help="providers' calls left today, breakers, last errors; the run queue")
    st.add_argument("--json", action="store_true", help="print JSON (for scripts)")
    st.set_defaults(handler=run_status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .lib.settings import get_settings

    try:
        level = get_settings().log_level
    except Exception:  # check-env reports bad settings itself
        level = "INFO"
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command != "check-env":  # check-env reports a bad alert setting instead of failing on it
        from .lib.alerts import init_monitoring

        with contextlib.suppress(Exception):
            init_monitoring()
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
