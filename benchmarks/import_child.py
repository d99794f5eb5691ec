"""One artist's `full_sync` in a process of its own, as a run worker runs it (in process executor, the
project's definitions, Dagster storage in a temporary instance), for the pacing and memory figures.

    python -m benchmarks.import_child <partition-key> [job]

The environment says where the app database and the providers are (the parent sets them). Prints
one JSON line: success, seconds spent importing Dagster and the code, seconds of the run itself, and
the process's peak RSS.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident set. VmHWM belongs to the memory map, which exec replaces;
    ru_maxrss survives exec on Linux and so would count the pages of the parent this child was
    forked from."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def main(argv: list[str]) -> int:
    started = time.perf_counter()
    key, job = argv[0], argv[1] if len(argv) > 1 else "full_sync"
    import dagster as dg

    from mysetlist_pipelines.definitions import defs

    definitions = defs()
    loaded = time.perf_counter()
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("artists", [key])
        run_started = time.perf_counter()
        result = definitions.resolve_job_def(job).execute_in_process(
            instance=instance,
            partition_key=key,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
        run_seconds = time.perf_counter() - run_started
    steps = {
        e.step_key: e.event_specific_data.duration_ms / 1000  # type: ignore[union-attr]
        for e in result.all_events
        if e.is_step_success and e.step_key
    }
    print(
        json.dumps(
            {
                "success": result.success,
                "load_seconds": round(loaded - started, 3),
                "run_seconds": round(run_seconds, 3),
                "step_seconds": steps,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
