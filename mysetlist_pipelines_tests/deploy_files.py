"""The deployment files and the facts the tests compare them with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes
import yaml
from dagster_k8s.models import k8s_snake_case_dict

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
# The Secrets every code-server and run pod reads the app's settings from (docs/operations.md).
APP_SECRETS = ["mysetlist-app", "mysetlist-providers"]


def load_deploy(name: str) -> Any:
    return yaml.safe_load((DEPLOY / name).read_text())


def dockerfile_env() -> dict[str, str]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(part.split("=", 1) for part in line[4:].split() if "=" in part)
    return env


def dockerfile_instruction(name: str) -> str:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    (line,) = [text for text in lines if text.startswith(name + " ")]
    return line[len(name) + 1 :]


def user_deployment(values: dict[str, Any]) -> dict[str, Any]:
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    return deployment


def snake(mapping: dict[str, Any]) -> dict[str, Any]:
    return {_snake_key(k): v for k, v in mapping.items()}


def _snake_key(key: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in key)


def run_k8s_config_in_snake_case(run_k8s_config: dict[str, Any]) -> dict[str, Any]:
    """The chart's camelCase runK8sConfig in Dagster's snake_case form, nested models included."""
    models = {"containerConfig": kubernetes.client.V1Container, "podSpecConfig": kubernetes.client.V1PodSpec}
    return {_snake_key(k): k8s_snake_case_dict(models[k], v) for k, v in run_k8s_config.items()}
