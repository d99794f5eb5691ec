"""The user-code image's install path, without Docker.

Build the wheel from exactly the files the Dockerfile's build stage copies, install it (not editable)
into a clean virtualenv, and from a working directory outside the checkout: load the definitions,
serve them with `dagster api grpc` as the image's CMD does, and migrate a real Postgres with the
installed `mysetlist db migrate` (which proves `sql/` ships). Select with `-m wheel`.
"""

from __future__ import annotations

import inspect
import json
import socket
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from dagster._core.errors import DagsterUserCodeUnreachableError
from dagster._grpc.client import DagsterGrpcClient
from dagster._grpc.types import ListRepositoriesResponse
from dagster_shared.serdes import deserialize_value

from mysetlist_pipelines.definitions import defs as checkout_defs

from .wheel_env import (
    WheelEnv,
    build_wheel,
    copy_build_inputs,
    dockerfile_build_inputs,
    make_venv,
    run,
)

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parents[1]
MODULE = "mysetlist_pipelines.definitions"


def summarize(definitions: dg.Definitions) -> dict[str, list[str]]:
    """What a code location offers; shipped to the wheel's interpreter as source (see _PROBE)."""
    return {
        "assets": sorted(key.to_user_string() for key in definitions.resolve_all_asset_keys()),
        "jobs": sorted(job.name for job in definitions.resolve_all_job_defs()),
        "sensors": sorted(sensor.name for sensor in definitions.sensors or []),
        "schedules": sorted(schedule.name for schedule in definitions.schedules or []),
    }


_PROBE = (
    "import json\nimport dagster as dg\n"
    + inspect.getsource(summarize)
    + """
import mysetlist_pipelines
from mysetlist_pipelines.definitions import defs
from mysetlist_pipelines.lib.db.migrate import sql_dir
from mysetlist_pipelines.lib.dev_setup import dagster_home
from mysetlist_pipelines.lib.settings import get_settings

definitions = defs()
dg.Definitions.validate_loadable(definitions)
home = dagster_home(get_settings())
print(json.dumps({
    "package": mysetlist_pipelines.__file__,
    "sql_dir": str(sql_dir()),
    "data_dir": str(get_settings().data_dir),
    "local_dagster_yaml": (home / "dagster.yaml").read_text(),
    "summary": summarize(definitions),
}))
"""
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> WheelEnv:
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    copy_build_inputs(ROOT, dockerfile_build_inputs(ROOT / "Dockerfile"), src)
    wheel = build_wheel(src, base / "dist")
    make_venv(base / "venv", base / "deps", wheel)
    workdir = base / "work"
    workdir.mkdir()
    return WheelEnv(src=src, wheel=wheel, venv=base / "venv", workdir=workdir)


def _files_under(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".md")
    }


def test_the_wheel_ships_the_package_its_data_and_sql(installed: WheelEnv) -> None:
    with zipfile.ZipFile(installed.wheel) as zf:
        names = set(zf.namelist())
    (data,) = {n.split("/")[0] for n in names if n.split("/")[0].endswith(".data")}
    package = installed.src / "mysetlist_pipelines"
    missing = {f"mysetlist_pipelines/{f}" for f in _files_under(package)} - names
    assert not missing, f"files in the package folder that the wheel leaves out: {sorted(missing)}"
    assert "mysetlist_pipelines/dg.toml" in names
    share = f"{data}/data/share/mysetlist-pipelines"
    sql = {p.name for p in (installed.src / "sql").glob("*.sql")}
    assert sql and {f"{share}/sql/{name}" for name in sql} <= names
    assert f"{share}/dagster.yaml" in names
    assert not [n for n in names if n.startswith("mysetlist_pipelines_tests")]
    # The fakes stay out of the image that talks to the real providers: no module, no data.
    assert not [n for n in names if n.startswith("mysetlist_sandbox") or "/sandbox/" in n], sorted(names)
    assert not [n for n in names if n.endswith(".json") and "artist-" in n]


def test_definitions_load_from_the_installed_wheel(installed: WheelEnv, tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    result = run(
        [str(installed.python), "-c", _PROBE],
        env=installed.env(DAGSTER_HOME=str(home)),
        cwd=installed.workdir,
        timeout=120,
    )
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    # The code, the migrations and the local instance all come from the install, not the checkout.
    assert Path(probe["package"]).is_relative_to(installed.site_packages)
    assert Path(probe["sql_dir"]) == installed.venv / "share" / "mysetlist-pipelines" / "sql"
    assert probe["local_dagster_yaml"] == (installed.src / "dagster.yaml").read_text()
    # No checkout, so local data (the embedded Postgres) goes under the working directory.
    assert Path(probe["data_dir"]) == installed.workdir / ".data"
    assert probe["summary"] == summarize(checkout_defs())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def code_server(
    installed: WheelEnv, tmp_path: Path
) -> Iterator[tuple[DagsterGrpcClient, subprocess.Popen[bytes]]]:
    port = _free_port()
    # The image's CMD, run by the wheel's interpreter (`dagster` is `python -m dagster` there).
    command = [str(installed.python), "-m", "dagster", "api", "grpc", "--module-name", MODULE]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    log = (tmp_path / "grpc.log").open("wb")
    server = subprocess.Popen(
        command,
        cwd=installed.workdir,
        env=installed.env(DAGSTER_HOME=str(tmp_path)),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield DagsterGrpcClient(port=port, host="127.0.0.1"), server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_the_code_server_serves_the_wheel(
    installed: WheelEnv, code_server: tuple[DagsterGrpcClient, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    client, server = code_server
    deadline = time.monotonic() + 60
    response = None
    while response is None and server.poll() is None and time.monotonic() < deadline:
        try:
            response = deserialize_value(client.list_repositories())
        except DagsterUserCodeUnreachableError:
            time.sleep(0.2)
    if response is None:
        pytest.fail(f"the code server never answered:\n{(tmp_path / 'grpc.log').read_text()[-3000:]}")
    assert isinstance(response, ListRepositoriesResponse), response
    assert Path(response.executable_path) == installed.python
    pointers = list(response.repository_code_pointer_dict.values())
    assert pointers and all(getattr(p, "module", None) == MODULE for p in pointers)


def test_installed_migrate_command_applies_the_shipped_sql(installed: WheelEnv, empty_db: str) -> None:
    command = [str(installed.venv / "bin" / "mysetlist"), "db", "migrate"]
    env = installed.env(DATABASE_URL=empty_db)
    first = run(command, env=env, cwd=installed.workdir)
    expected = sorted(p.name for p in (installed.src / "sql").glob("*.sql"))
    assert f"applied {len(expected)} migration(s)" in first.stdout
    with psycopg.connect(empty_db) as conn:
        applied = [r[0] for r in conn.execute("SELECT name FROM pipelines.schema_migrations ORDER BY name")]
        sync_jobs = conn.execute("SELECT to_regclass('public.sync_jobs') IS NOT NULL").fetchone()
        dagster_schema = conn.execute("SELECT to_regnamespace('dagster') IS NOT NULL").fetchone()
    assert applied == expected
    assert sync_jobs == (True,)
    # A migrate Job touches the app's tables only, never Dagster's storage.
    assert dagster_schema == (False,)
    second = run(command, env=env, cwd=installed.workdir)
    assert "nothing to apply" in second.stdout


def test_the_wheel_has_no_sandbox_and_says_so(installed: WheelEnv, tmp_path: Path) -> None:
    """`mysetlist sandbox` and a `mysetlist dev` that would need the sandbox fail at once with a clear
    error, before anything starts (no embedded Postgres, no Dagster)."""
    probe = run(
        [str(installed.python), "-c", "import importlib.util as u; print(u.find_spec('mysetlist_sandbox'))"],
        env=installed.env(),
        cwd=installed.workdir,
    )
    assert probe.stdout.strip() == "None"
    mysetlist = str(installed.venv / "bin" / "mysetlist")
    env = installed.env(MYSETLIST_DATA_DIR=str(tmp_path / "data"))
    for command in ([mysetlist, "sandbox", "--port", "0"], [mysetlist, "dev", "--port", "0"]):
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=60, env=env, cwd=installed.workdir
        )
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "the sandbox providers are not installed" in result.stderr
        assert "pip install -e ./mysetlist_sandbox" in result.stderr
    assert not (tmp_path / "data").exists()  # nothing was started
