from __future__ import annotations

from pathlib import Path

import dagster as dg
import yaml
from dagster._core.instance.config import dagster_instance_config

from mysetlist_pipelines.definitions import defs

ROOT = Path(__file__).resolve().parents[1]


def test_definitions_load_and_validate() -> None:
    definitions = defs()
    assert isinstance(definitions, dg.Definitions)
    dg.Definitions.validate_loadable(definitions)
    assert "app_db" in definitions.resources


def test_instance_config_is_valid(tmp_path: Path) -> None:
    (tmp_path / "dagster.yaml").write_text((ROOT / "dagster.yaml").read_text())
    config, _ = dagster_instance_config(str(tmp_path))
    assert config["storage"]["postgres"]["postgres_url"] == {"env": "DAGSTER_POSTGRES_URL"}
    assert config["run_monitoring"]["enabled"] is True
    assert config["run_retries"]["enabled"] is True
    assert config["telemetry"]["enabled"] is False
    assert yaml.safe_load((ROOT / "workspace.yaml").read_text())["load_from"]
