"""Remake the README's screenshots: `make screenshots` (or `.venv/bin/python scripts/screenshots.py`).

Starts `mysetlist dev` on a fresh data folder (embedded Postgres, sandbox providers), imports one
artist with `mysetlist import --wait`, and photographs with headless Chromium (Debian's `chromium`
package: `apt-get install chromium`) the Dagster UI's automation page, the artists' partitions page,
and the import's terminal output. The PNGs go to docs/. Not part of the test suite: CI machines may
lack Chromium.
"""

from __future__ import annotations

import html
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ARTIST = "Zoë Marlowe"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    sys.exit("no Chromium found: apt-get install chromium (Debian) and run again")


def _shoot(browser: str, url: str, out: Path, size: str = "1400,900", wait_ms: int = 20000) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                f"--user-data-dir={profile}", f"--window-size={size}", f"--virtual-time-budget={wait_ms}",
                f"--screenshot={out}", url,
            ],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    print(f"wrote {out.relative_to(ROOT)}")


def _wait_for_ui(port: int, proc: subprocess.Popen[bytes], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"mysetlist dev exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5):
                return
        except OSError:
            time.sleep(1)
    sys.exit(f"the Dagster UI did not answer on port {port} within {timeout:.0f} s")


def _terminal_html(command: str, output: str) -> str:
    body = html.escape(f"$ {command}\n{output}")
    return (
        "<html><body style='margin:0;background:#1e1e1e'><pre style='margin:0;padding:16px;color:#e6e6e6;"
        f"font:14px/1.4 DejaVu Sans Mono,monospace'>{body}</pre></body></html>"
    )


def main() -> int:
    browser = _chromium()
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DAGSTER_"))}
        for key in (
            "SPOTIFY_CLIENT_ID",
            "SPOTIFY_CLIENT_SECRET",
            "TICKETMASTER_API_KEY",
            "SETLISTFM_API_KEY",
        ):
            env.pop(key, None)  # the sandbox stands in for every provider
        env.update({"MYSETLIST_DATA_DIR": str(Path(tmp) / "data"), "PYTHONUNBUFFERED": "1"})
        cli = [sys.executable, "-m", "mysetlist_pipelines.cli"]
        log = (Path(tmp) / "dev.log").open("wb")
        dev = subprocess.Popen(
            [*cli, "dev", "--port", str(port)], env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            _wait_for_ui(port, dev)
            command = f'mysetlist import "{ARTIST}" --wait'
            done = subprocess.run(
                [*cli, "import", ARTIST, "--wait"],
                env=env,
                cwd=tmp,
                capture_output=True,
                text=True,
                timeout=600,
            )
            page = Path(tmp) / "import.html"
            page.write_text(_terminal_html(command, done.stdout + done.stderr), encoding="utf-8")
            lines = (done.stdout + done.stderr).count("\n") + 2
            _shoot(browser, page.as_uri(), DOCS / "screenshot-import.png", f"1100,{40 + 20 * lines}", 1000)
            ui = f"http://127.0.0.1:{port}"
            _shoot(browser, f"{ui}/automation", DOCS / "screenshot-automation.png")
            _shoot(browser, f"{ui}/assets/artist_profile?view=partitions", DOCS / "screenshot-partitions.png")
        finally:
            os.killpg(dev.pid, signal.SIGINT)
            try:
                dev.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(dev.pid, signal.SIGKILL)
            log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
