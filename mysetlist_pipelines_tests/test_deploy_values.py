"""deploy/values-dagster.yaml and deploy/migrate-job.yaml, checked by structure.

The Helm chart's own schema is not available offline, so the values are checked against what they
must say: this image (module, port, user, DAGSTER_HOME from the Dockerfile), K8sRunLauncher, external
storage with a psycopg2 URL, the same policy as deploy/dagster.yaml, Kubernetes field names the API
accepts, and no credential in any deployment file.
"""

from __future__ import annotations

from pathlib import Path

import kubernetes
import pytest
import yaml
from dagster_k8s.models import k8s_model_from_dict, k8s_snake_case_dict

from mysetlist_pipelines.lib.tracking.run_tags import BATCH_TAG

from .deploy_files import (
    APP_SECRETS,
    DEPLOY,
    ROOT,
    dockerfile_env,
    dockerfile_instruction,
    load_deploy,
    run_k8s_config_in_snake_case,
    snake,
    user_deployment,
)
from .deploy_lint import literal_secrets


def test_helm_values_deploy_this_image_with_k8s_runs_and_external_storage() -> None:
    values = load_deploy("values-dagster.yaml")
    deployment = user_deployment(values)
    assert values["dagster-user-deployments"]["enabled"] is True
    assert deployment["image"]["repository"].endswith("/mysetlist-pipelines")
    # The chart runs `dagster api grpc -h 0.0.0.0 -p PORT ARGS`: the same module and port as the image.
    cmd = yaml.safe_load(dockerfile_instruction("CMD"))
    assert cmd[:3] == ["dagster", "api", "grpc"]
    assert deployment["dagsterApiGrpcArgs"] == cmd[3:5]
    assert str(deployment["port"]) == cmd[cmd.index("--port") + 1] == dockerfile_instruction("EXPOSE")
    assert deployment["includeConfigInLaunchedRuns"] == {"enabled": True}
    assert [s["name"] for s in deployment["envSecrets"]] == APP_SECRETS
    uid = int(dockerfile_instruction("USER").split(":")[0])
    assert deployment["podSecurityContext"]["runAsUser"] == uid
    assert deployment["podSecurityContext"]["runAsNonRoot"] is True
    assert values["global"]["dagsterHome"] == dockerfile_env()["DAGSTER_HOME"]

    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    k8s = values["runLauncher"]["config"]["k8sRunLauncher"]
    assert [s["name"] for s in k8s["envSecrets"]] == APP_SECRETS
    pg = values["postgresql"]
    assert pg["enabled"] is False and pg["postgresqlHost"]
    assert values["generatePostgresqlPasswordSecret"] is False and pg["postgresqlPassword"] == ""
    assert values["global"]["postgresqlSecretName"]
    assert values["ingress"]["enabled"] is False
    assert values["dagsterWebserver"]["service"]["type"] == "ClusterIP"
    for kind, spec in [
        (kubernetes.client.V1PodSecurityContext, deployment["podSecurityContext"]),
        (kubernetes.client.V1SecurityContext, deployment["securityContext"]),
        (kubernetes.client.V1ResourceRequirements, deployment["resources"]),
        (kubernetes.client.V1Container, k8s["runK8sConfig"]["containerConfig"]),
        (kubernetes.client.V1PodSpec, k8s["runK8sConfig"]["podSpecConfig"]),
    ]:
        k8s_snake_case_dict(kind, spec)


def test_helm_values_set_the_same_policy_as_the_instance_file() -> None:
    values, instance = load_deploy("values-dagster.yaml"), load_deploy("dagster.yaml")
    daemon = values["dagsterDaemon"]
    assert daemon["enabled"] and daemon["runCoordinator"]["type"] == "QueuedRunCoordinator"
    queued = daemon["runCoordinator"]["config"]["queuedRunCoordinator"]
    assert "maxConcurrentRuns" not in queued and "tagConcurrencyLimits" not in queued
    assert (queued["dequeueIntervalSeconds"], queued["dequeueUseThreads"], queued["dequeueNumWorkers"]) == (
        instance["run_queue"]["dequeue_interval_seconds"],
        instance["run_queue"]["dequeue_use_threads"],
        instance["run_queue"]["dequeue_num_workers"],
    )
    concurrency = values["concurrency"]
    assert concurrency["enabled"] is True
    assert concurrency["runs"]["maxConcurrentRuns"] == instance["concurrency"]["runs"]["max_concurrent_runs"]
    assert (
        concurrency["runs"]["tagConcurrencyLimits"]
        == instance["concurrency"]["runs"]["tag_concurrency_limits"]
    )
    assert concurrency["pools"]["defaultLimit"] == instance["concurrency"]["pools"]["default_limit"]
    # A limit on a tag no run carries limits nothing: fleet refreshes are tagged BATCH_TAG.
    assert BATCH_TAG in {limit["key"] for limit in concurrency["runs"]["tagConcurrencyLimits"]}
    assert snake(daemon["runMonitoring"]) == instance["run_monitoring"]
    assert snake(daemon["runRetries"]) == instance["run_retries"]
    assert snake(daemon["sensors"]) == instance["sensors"]
    assert snake(daemon["schedules"]) == instance["schedules"]
    retention = values["retention"]
    assert retention["enabled"] is True
    assert {k: {"purge_after_days": v["purgeAfterDays"]} for k, v in retention.items() if k != "enabled"} == (
        instance["retention"]
    )
    assert values["computeLogManager"]["type"] == instance["compute_logs"]["class"]
    assert values["telemetry"] == instance["telemetry"] == {"enabled": False}
    pg, storage = values["postgresql"], instance["storage"]["postgres"]["postgres_db"]
    assert (pg["postgresqlScheme"], pg["postgresqlParams"]) == (storage["scheme"], storage["params"])
    launcher = instance["run_launcher"]["config"]
    assert values["global"]["postgresqlSecretName"] == launcher["postgres_password_secret"]
    k8s = values["runLauncher"]["config"]["k8sRunLauncher"]
    assert k8s["imagePullPolicy"] == launcher["image_pull_policy"]
    assert run_k8s_config_in_snake_case(k8s["runK8sConfig"]) == launcher["run_k8s_config"]


def test_the_migrate_job_is_a_valid_kubernetes_job() -> None:
    manifest = load_deploy("migrate-job.yaml")
    job = k8s_model_from_dict(kubernetes.client.V1Job, k8s_snake_case_dict(kubernetes.client.V1Job, manifest))
    (container,) = job.spec.template.spec.containers
    assert container.command == ["mysetlist", "db", "migrate"]
    assert [e.secret_ref.name for e in container.env_from] == ["mysetlist-app"]
    assert job.spec.template.spec.security_context.run_as_non_root is True


@pytest.mark.parametrize(
    "path",
    [
        DEPLOY / "values-dagster.yaml",
        DEPLOY / "dagster.yaml",
        DEPLOY / "migrate-job.yaml",
        ROOT / "dagster.yaml",
    ],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_deployment_file_holds_a_credential(path: Path) -> None:
    assert literal_secrets(yaml.safe_load(path.read_text())) == []


@pytest.mark.parametrize(
    "inject",
    [
        lambda v: user_deployment(v)["env"].append({"name": "TICKETMASTER_API_KEY", "value": "x" * 8}),
        lambda v: user_deployment(v)["env"].append({"name": "DATABASE_URL", "value": "postgresql://h/db"}),
        lambda v: v["postgresql"].update(postgresqlPassword="hunter2hunter2"),
        lambda v: v["global"].update(postgresqlSecretName="postgresql://dagster:s3cret@db.internal/dagster"),
        lambda v: v["dagsterWebserver"].update(annotations={"note": "Qm9iIGlzIGEgc2VjcmV0IGtleQ1234"}),
    ],
    ids=["api-key-env", "database-url-env", "storage-password", "url-with-password", "token-like"],
)
def test_the_credential_check_catches_literal_secrets(inject) -> None:
    values = load_deploy("values-dagster.yaml")
    inject(values)
    assert literal_secrets(values)
