"""The project's files that live beside the package, not inside it: `sql/` and the local `dagster.yaml`.

In a checkout they sit at the project root. A wheel has no project root, so pyproject.toml ships them as
setuptools data-files, which an install puts under `<prefix>/share/mysetlist-pipelines/`. The prefix
depends on how the wheel was installed (a venv, `--user`, `--prefix`), so the installed distribution's
own RECORD is asked first and the interpreter's data path is only the fallback.
"""

from __future__ import annotations

import sys
import sysconfig
from importlib import metadata
from pathlib import Path, PurePosixPath

from .settings import PROJECT_ROOT

DIST_NAME = "mysetlist-pipelines"
SHARE_PARTS = ("share", "mysetlist-pipelines")


def _from_record() -> Path | None:
    try:
        dist = metadata.distribution(DIST_NAME)
    except metadata.PackageNotFoundError:
        return None
    for entry in dist.files or []:
        # RECORD names data files relative to site-packages, e.g. ../../../share/mysetlist-pipelines/sql/x.sql
        parts = PurePosixPath(str(entry)).parts
        for i in range(len(parts) - 1):
            if parts[i : i + 2] == SHARE_PARTS:
                return Path(str(dist.locate_file(PurePosixPath(*parts[: i + 2])))).resolve()
    return None


def shared_data_dirs() -> list[Path]:
    """Where an installed wheel's data-files may be, most specific first (they need not exist)."""
    candidates = [
        _from_record(),
        Path(sysconfig.get_path("data"), *SHARE_PARTS),
        Path(sys.prefix, *SHARE_PARTS),
    ]
    unique: list[Path] = []
    for candidate in candidates:
        if candidate is not None and candidate not in unique:
            unique.append(candidate)
    return unique


def find_project_file(relative: str) -> Path | None:
    """`relative` ("sql", "dagster.yaml") in the checkout, else in an installed wheel's shared data."""
    for base in (PROJECT_ROOT, *shared_data_dirs()):
        path = base / relative
        if path.exists():
            return path
    return None
