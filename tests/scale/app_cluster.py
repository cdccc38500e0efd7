"""Two real `coach slack` processes in HTTP mode behind nginx, as a scaled deployment runs them.

Each instance is the installed `coach slack` command with its own data folder, sharing one
PostgreSQL database and one Chroma server, talking to a fake Slack Web API. nginx (Debian's
binary, a generated configuration in a temporary folder) spreads requests over both and moves on
to the other when one stops answering, which is what lets a killed instance go unnoticed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.conftest import COACH, ROOT, coach_env
from tests.scale.services import free_port, wait_for_port

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def nginx_config(folder: Path, listen: int, upstreams: list[int]) -> str:
    """A minimal nginx.conf: a loopback listener proxying to `upstreams`, state in `folder`."""
    servers = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in upstreams
    )
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi")
    temp = " ".join(f"{kind}_temp_path {folder / kind};" for kind in kinds)
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    {temp} scgi_temp_path {folder / "scgi"};
    upstream coach {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{listen};
        location / {{
            proxy_pass http://coach;
            proxy_set_header Host $host;
            proxy_connect_timeout 1s;
            proxy_read_timeout 15s;
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


class AppCluster:
    """N app instances and nginx in front; `close()` stops every process it started."""

    def __init__(
        self, *, database_url: str, chroma_url: str, slack_api_url: str, secret: str, count: int = 2
    ) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="coach-scale-apps-"))
        self.ports = [free_port() for _ in range(count)]
        self.proxy_port = free_port()
        self.env = {
            "DATABASE_URL": database_url,
            "CHROMA_URL": chroma_url,
            "SLACK_API_URL": slack_api_url,
            "SLACK_BOT_TOKEN": "xoxb-scale-test",
            "SLACK_SIGNING_SECRET": secret,
        }
        self.instances: list[subprocess.Popen[bytes]] = []
        self.nginx: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    def instance_url(self, number: int) -> str:
        return f"http://127.0.0.1:{self.ports[number]}"

    def start(self, seconds: float = 240) -> AppCluster:
        for number, port in enumerate(self.ports):
            home = self.folder / f"app{number}"
            home.mkdir()
            env = coach_env(home, PORT=str(port), **self.env)
            log = (self.folder / f"app{number}.log").open("ab")
            self.instances.append(
                subprocess.Popen(
                    [COACH, "slack"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        for number in range(len(self.ports)):
            if not self._healthy(number, seconds):
                raise RuntimeError(f"app {number} did not start:\n{self.log(number)[-3000:]}")
        config = self.folder / "nginx.conf"
        config.write_text(nginx_config(self.folder, self.proxy_port, self.ports))
        self.nginx = subprocess.Popen(
            [NGINX or "nginx", "-p", str(self.folder), "-c", str(config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "nginx.out").open("ab"),
            start_new_session=True,
        )
        if not wait_for_port(self.proxy_port, 20):
            raise RuntimeError("nginx did not start: " + (self.folder / "nginx.out").read_text())
        return self

    def _healthy(self, number: int, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.instances[number].poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.instance_url(number)}/healthz", timeout=2):
                    return True
            except OSError:
                time.sleep(0.5)
        return False

    def log(self, number: int) -> str:
        return (self.folder / f"app{number}.log").read_text(errors="replace")

    def kill(self, number: int) -> None:
        """SIGKILL one instance: no shutdown, no goodbye, as a crashed host would."""
        process = self.instances[number]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def close(self) -> None:
        for process in [*self.instances, *([self.nginx] if self.nginx else [])]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=15)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> AppCluster:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *_exc: object) -> None:
        self.close()
