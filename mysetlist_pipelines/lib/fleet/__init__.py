"""Scheduled fleet work in plain Python (no Dagster): which artists a schedule refreshes
(selection.py over the candidates query, candidates.py), what that costs per provider (work.py), what
fits today's budgets (allowances.py, committed_work.py, budget.py), how the chosen artists are cut
into batch runs (batch_grouping.py, batch_opening.py, batches.py), discovery of new shows and artists
(tm_discovery.py, discovery_tick.py, imports.py), past setlists (past.py), trending scores
(trending.py) and the cron_logs rows (cronlog.py). defs/schedules wires them into Dagster schedules;
tick.py is the glue of one refresh tick (tick_report.py: what its cron_logs row says).
"""

from .allowances import Allowance, allowances
from .batch_grouping import group
from .batch_opening import open_batches
from .batches import Batch, batch_members, load_tick
from .budget import Deferral, Plan, plan
from .candidates import Candidate
from .committed_work import app_requests_waiting, committed_calls
from .cronlog import CronRun, already_logged, log_cron_run
from .tick import RefreshOutcome, TickInfo, ensure_keys, read_allowances, refresh
from .work import IMPORT_CALLS, PROVIDERS, WORK, Calls, Work

__all__ = [
    "IMPORT_CALLS",
    "PROVIDERS",
    "WORK",
    "Allowance",
    "Batch",
    "Calls",
    "Candidate",
    "CronRun",
    "Deferral",
    "Plan",
    "RefreshOutcome",
    "TickInfo",
    "Work",
    "allowances",
    "already_logged",
    "app_requests_waiting",
    "batch_members",
    "committed_calls",
    "ensure_keys",
    "group",
    "load_tick",
    "log_cron_run",
    "open_batches",
    "plan",
    "read_allowances",
    "refresh",
]
