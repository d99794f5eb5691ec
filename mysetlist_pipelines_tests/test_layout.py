"""The house rules a newcomer relies on, checked on the source (docs/architecture.md, "Rules"):
only public Dagster APIs, SQL only in lib/, no Dagster in lib/."""

from __future__ import annotations

import re
from pathlib import Path

import mysetlist_pipelines

PACKAGE = Path(mysetlist_pipelines.__file__).parent


def _lines(folder: Path, pattern: str) -> list[str]:
    regex = re.compile(pattern)
    return [
        f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}"
        for path in sorted(folder.rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if regex.search(line)
    ]


def test_no_private_dagster_api() -> None:
    assert _lines(PACKAGE, r"\bdagster\._") == []


def test_only_lib_runs_sql() -> None:
    """defs/ wires lib/ into Dagster: it opens connections and passes them on, never runs a statement."""
    assert (
        _lines(
            PACKAGE / "defs", r"\.execute(many)?\(|\bcopy\(|\bsql\.SQL\b|\b(SELECT|INSERT|UPDATE|DELETE)\s"
        )
        == []
    )


def test_lib_has_no_dagster_import() -> None:
    assert _lines(PACKAGE / "lib", r"^\s*(import dagster|from dagster)") == []


def test_the_image_sets_the_dagster_process_environment() -> None:
    """What `mysetlist dev` sets for Dagster's processes, the production image sets too."""
    from mysetlist_pipelines.lib.devserver import DAGSTER_PROCESS_ENV

    dockerfile = (PACKAGE.parent / "Dockerfile").read_text()
    for name, value in DAGSTER_PROCESS_ENV.items():
        assert re.search(rf"^\s+{name}={value}\b", dockerfile, re.MULTILINE), name


def test_the_providers_are_named_in_one_place() -> None:
    """lib/providers/registry.py is the list; the sandbox (a package of its own) registers a fake for
    exactly those providers, and no module spells the list out again."""
    from mysetlist_pipelines.lib.providers import registry
    from mysetlist_sandbox.fakes import FAKES

    assert set(FAKES) == set(registry.names())
    assert all(FAKES[name].name == name for name in FAKES)
    spelled = r"""\(\s*["']spotify["'],\s*["']ticketmaster["'],\s*["']setlistfm["']\s*\)"""
    assert _lines(PACKAGE, spelled) == []


# The modules every provider goes through: they read the registry and name no provider by its key.
# (The steps that call one provider by name, lib/sync, lib/rules, lib/fleet's signals and cost
# formulas, lib/db's columns, do provider-specific work and may.)
GENERIC = (
    "lib/settings.py",
    "lib/checkenv.py",
    "lib/status.py",
    "lib/devserver.py",
    "lib/dev_setup.py",
    "lib/redaction.py",
    "lib/alerts",
    "lib/external_ids.py",
    "lib/http",
    "lib/tracking",
    "lib/fleet/budget.py",
    "lib/fleet/batches.py",
    "lib/fleet/batch_opening.py",
    "lib/fleet/allowances.py",
    "defs",
)


def test_generic_modules_name_no_provider() -> None:
    """A provider's key appears as a literal only in its own folder (lib/providers/<name>/) and the
    provider-specific steps, never in the generic modules: adding one is a folder plus a registry
    entry (docs/architecture.md)."""
    regex = re.compile(r"""["'](spotify|ticketmaster|setlistfm)["']""")
    files = [
        p
        for part in GENERIC
        for p in ((PACKAGE / part).rglob("*.py") if (PACKAGE / part).is_dir() else [PACKAGE / part])
    ]
    found = [
        f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}"
        for path in files
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if regex.search(line)
    ]
    assert found == []


def test_every_module_name_says_which() -> None:
    """No two modules of the package share a name (the old catalog.py / setlists.py / shows.py at three
    tiers), except a package's __init__ and the files every provider folder has (spec, client, models, rows)."""
    providers = PACKAGE / "lib" / "providers"
    names: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__init__.py" or path.parent.parent == providers:
            continue
        names.setdefault(path.name, []).append(str(path.relative_to(PACKAGE)))
    assert {name: paths for name, paths in names.items() if len(paths) > 1} == {}


def test_resources_are_built_in_one_place() -> None:
    """defs/ reaches the settings, the database and the provider clients only through the resources
    injected into it (defs/resources.py builds them): no global settings lookup, no connection or
    client opened on the side, nothing read at import."""
    pattern = (
        r"\bget_settings\b|\bSettings\(|\bpsycopg\.connect\(|\bapp_database_url\b|\bProviders\.from_settings\b"
        r"|\bos\.environ\b|\bgetenv\b"
    )
    outside = [
        line for line in _lines(PACKAGE / "defs", pattern) if not line.startswith("defs/resources.py:")
    ]
    assert outside == []
