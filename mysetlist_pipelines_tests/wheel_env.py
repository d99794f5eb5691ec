"""A clean virtualenv holding the project's wheel, built the way the Dockerfile builds the image.

Installing every dependency afresh would take minutes and the network, so the venv borrows them from
the running one, but only the distributions the wheel's own METADATA asks for (and theirs, recursively):
an import the wheel forgot to declare fails here as it would in the image. The project's code comes
from the wheel alone; the checkout's editable install is never visible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = "mysetlist-pipelines"
_VERSION_DIR = f"python{sys.version_info.major}.{sys.version_info.minor}"


@dataclass(frozen=True)
class WheelEnv:
    src: Path  # the files the wheel was built from (the Dockerfile's build-stage COPY list)
    wheel: Path
    venv: Path
    workdir: Path  # a cwd outside the checkout

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def site_packages(self) -> Path:
        return self.venv / "lib" / _VERSION_DIR / "site-packages"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a process run from the installed wheel: nothing project-specific leaks in."""
        drop = ("PYTHON", "VIRTUAL_ENV", "MYSETLIST_", "DAGSTER_", "DATABASE_URL")
        env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
        env.update(PYTHONNOUSERSITE="1", PATH=f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
        env.update(extra)
        return env


def dockerfile_build_inputs(dockerfile: Path) -> list[str]:
    """The sources the Dockerfile's build stage COPYs (everything before the second FROM)."""
    inputs: list[str] = []
    stages = 0
    for line in dockerfile.read_text().splitlines():
        words = line.split()
        if not words or words[0].upper() not in ("FROM", "COPY"):
            continue
        if words[0].upper() == "FROM":
            stages += 1
            if stages > 1:
                break
            continue
        args = [w for w in words[1:] if not w.startswith("--")]
        inputs.extend(a.rstrip("/") for a in args[:-1])
    return inputs


def copy_build_inputs(root: Path, inputs: list[str], dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in inputs:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=ignore)
        else:
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)


def build_wheel(src: Path, dist: Path) -> Path:
    # Build isolation, as in the image: setuptools comes from the package registry (or pip's cache).
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(dist), str(src)], timeout=300)
    (wheel,) = dist.glob("mysetlist_pipelines-*.whl")
    return wheel


def wheel_requirements(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(zf.read(name).decode())
    return [Requirement(r) for r in meta.get_all("Requires-Dist") or []]


def dependency_closure(requirements: list[Requirement]) -> list[metadata.Distribution]:
    """The installed distributions these requirements need, recursively; each must satisfy its specifier."""
    found: dict[str, metadata.Distribution] = {}
    todo: list[tuple[Requirement, frozenset[str]]] = [(r, frozenset()) for r in requirements]
    while todo:
        req, parent_extras = todo.pop()
        if req.marker and not any(req.marker.evaluate({"extra": e}) for e in parent_extras or {""}):
            continue
        dist = metadata.distribution(req.name)
        if not req.specifier.contains(dist.version, prereleases=True):
            raise AssertionError(f"{req} is declared but {dist.metadata['Name']} {dist.version} is installed")
        key = canonicalize_name(dist.metadata["Name"])
        if key == canonicalize_name(PROJECT) or key in found:
            continue
        found[key] = dist
        todo.extend((Requirement(r), frozenset(req.extras)) for r in dist.requires or [])
    return list(found.values())


def _top_level_entries(dist: metadata.Distribution) -> set[str]:
    entries = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
    if not entries:
        raise AssertionError(f"{dist.metadata['Name']} lists no files; cannot expose it to the clean venv")
    return entries


def make_venv(venv: Path, deps: Path, wheel: Path) -> None:
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    site = Path(sysconfig.get_paths()["purelib"])
    deps.mkdir()
    for dist in dependency_closure(wheel_requirements(wheel)):
        for entry in _top_level_entries(dist):
            link = deps / entry
            if not link.exists() and (site / entry).exists():
                link.symlink_to(site / entry)
    # A site dir, so the dependencies' own .pth files work as in a real install.
    pth = venv / "lib" / _VERSION_DIR / "site-packages" / "zz_dependencies.pth"
    pth.write_text(f"import site; site.addsitedir({str(deps)!r})\n")
    run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps",
         "--no-index", str(wheel)])  # fmt: skip


def run(
    command: list[str], *, timeout: float = 120, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
    if result.returncode != 0:
        shown = " ".join(arg if len(arg) < 80 else arg[:60] + "..." for arg in command)
        raise AssertionError(
            f"{shown} exited {result.returncode}\n{result.stderr[-3000:]}\n{result.stdout[-2000:]}"
        )
    return result
