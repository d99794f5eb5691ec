"""deploy/dagster.yaml, the production instance, checked by Dagster's own config schema.

The file is validated as an instance with dagster-k8s installed, each component is resolved with its
environment (as a pod would), and the K8sRunLauncher is built from it; broken copies are refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import kubernetes
import pytest
import yaml
from dagster._config import process_config
from dagster._core.errors import DagsterInvalidConfigError
from dagster._core.instance.config import ConcurrencyConfig, dagster_instance_config
from dagster._core.instance.ref import InstanceRef
from dagster._core.run_coordinator.queued_run_coordinator import QueuedRunCoordinator
from dagster._core.storage.noop_compute_log_manager import NoOpComputeLogManager
from dagster._serdes import ConfigurableClassData, class_from_code_pointer
from dagster_k8s import K8sRunLauncher
from dagster_k8s.models import k8s_snake_case_dict
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.utils import pg_url_from_config
from sqlalchemy.engine import make_url

from .deploy_files import APP_SECRETS, DEPLOY, dockerfile_env, load_deploy

PG_ENV = {
    "DAGSTER_PG_HOST": "dagster-storage.internal",
    "DAGSTER_PG_PORT": "5432",
    "DAGSTER_PG_USERNAME": "dagster",
    "DAGSTER_PG_PASSWORD": "not/a real@password",
    "DAGSTER_PG_DB": "dagster",
}


@pytest.fixture
def instance_dir(tmp_path: Path) -> Path:
    shutil.copy(DEPLOY / "dagster.yaml", tmp_path / "dagster.yaml")
    return tmp_path


@pytest.fixture
def pg_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in PG_ENV.items():
        monkeypatch.setenv(name, value)
    return PG_ENV


def _resolve(data: ConfigurableClassData) -> tuple[type, dict[str, Any]]:
    """The component's class and its config after Dagster processed it (env sources resolved)."""
    klass = class_from_code_pointer(data.module_name, data.class_name)
    result = process_config(klass.config_type(), yaml.safe_load(data.config_yaml))
    assert result.success, f"{data.class_name}: {[e.message for e in result.errors or []]}"
    return klass, result.value


def test_the_instance_passes_dagsters_schema(instance_dir: Path) -> None:
    config, custom_class = dagster_instance_config(str(instance_dir))
    assert custom_class is None
    assert config["run_launcher"]["class"] == "K8sRunLauncher"
    assert config["telemetry"] == {"enabled": False}
    assert config["run_monitoring"]["enabled"] is True
    assert config["run_retries"]["enabled"] is True


def test_every_component_resolves_from_the_environment(instance_dir: Path, pg_env: dict[str, str]) -> None:
    ref = InstanceRef.from_dir(str(instance_dir))
    storage_class, storage = _resolve(ref.storage_data)
    assert storage_class is DagsterPostgresStorage
    # Parsed as SQLAlchemy (which dagster-postgres hands it to) parses it.
    url = make_url(pg_url_from_config(storage))
    # The psycopg2 driver is named, the password is the environment's, and TLS is required.
    assert url.drivername == "postgresql+psycopg2"
    assert url.password == pg_env["DAGSTER_PG_PASSWORD"]
    assert (url.host, url.port, url.database) == (pg_env["DAGSTER_PG_HOST"], 5432, pg_env["DAGSTER_PG_DB"])
    assert dict(url.query) == {"sslmode": "require"}

    launcher_class, launcher = _resolve(ref.run_launcher_data)
    assert launcher_class is K8sRunLauncher
    assert launcher["env_secrets"] == APP_SECRETS

    assert isinstance(ref.compute_log_manager, NoOpComputeLogManager)
    coordinator = ref.run_coordinator
    assert isinstance(coordinator, QueuedRunCoordinator)
    effective = ConcurrencyConfig.from_concurrency_settings(
        ref.settings["concurrency"], coordinator.get_run_queue_config()
    )
    limits = load_deploy("dagster.yaml")["concurrency"]
    assert effective.run_queue_config is not None
    assert effective.run_queue_config.max_concurrent_runs == limits["runs"]["max_concurrent_runs"]
    assert effective.run_queue_config.tag_concurrency_limits == limits["runs"]["tag_concurrency_limits"]
    assert effective.pool_config.default_pool_limit == limits["pools"]["default_limit"]


def test_a_missing_storage_password_is_refused(
    instance_dir: Path, pg_env: dict[str, str], monkeypatch
) -> None:
    monkeypatch.delenv("DAGSTER_PG_PASSWORD")
    klass = class_from_code_pointer("dagster_postgres", "DagsterPostgresStorage")
    data = InstanceRef.from_dir(str(instance_dir)).storage_data
    result = process_config(klass.config_type(), yaml.safe_load(data.config_yaml))
    assert not result.success
    assert "DAGSTER_PG_PASSWORD" in " ".join(e.message for e in result.errors or [])


def test_conflicting_run_limits_are_refused(instance_dir: Path) -> None:
    config = load_deploy("dagster.yaml")
    config["run_queue"]["max_concurrent_runs"] = 3  # also under concurrency.runs: Dagster refuses both
    (instance_dir / "dagster.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(DagsterInvalidConfigError):
        dagster_instance_config(str(instance_dir))


def test_the_run_launcher_builds_from_the_instance(
    instance_dir: Path, pg_env: dict[str, str], tmp_path: Path
) -> None:
    # Only where the Kubernetes API is found changes: a kubeconfig instead of the in-cluster account.
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:6443"}}],
                "users": [{"name": "u", "user": {}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        )
    )
    data = InstanceRef.from_dir(str(instance_dir)).run_launcher_data
    _, config = _resolve(data)
    config.update(load_incluster_config=False, kubeconfig_file=str(kubeconfig))
    launcher = K8sRunLauncher.from_config_value(data, config)
    assert launcher.env_secrets == APP_SECRETS
    assert launcher.instance_config_map == "dagster-instance"
    assert launcher.dagster_home == dockerfile_env()["DAGSTER_HOME"]
    run_config = config["run_k8s_config"]
    # Raw Kubernetes config must use the API's field names, or the Job is refused at launch.
    k8s_snake_case_dict(kubernetes.client.V1Container, run_config["container_config"])
    k8s_snake_case_dict(kubernetes.client.V1PodSpec, run_config["pod_spec_config"])
