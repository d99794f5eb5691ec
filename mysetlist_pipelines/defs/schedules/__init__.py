"""Schedules in place of the app's Vercel cron routes (all UTC, all RUNNING by default; README,
"Schedules"). Each execution writes one cron_logs row (lib/fleet/cronlog.py) under the old route's
name.

- refresh.py: fleet refreshes of known artists, in batch runs, within the providers' daily budgets
- discovery.py: Ticketmaster discovery (US, Europe) and trending imports, as runs of the `discovery`
  op job (the schedules only request them) and the sensor launching the batches those runs open
- setlists.py: setlists of past shows
- maintenance.py: trending scores and cleanup, as small op jobs
- fleet.py: what they share (the tick, the budget read, partitions, run requests)
"""
