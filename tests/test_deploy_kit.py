"""The deploy kit (Dockerfile, compose file, nginx and systemd examples) stays true to the code.

No Docker engine runs on these machines, so the image cannot be built here. What can be checked
is checked for real: the nginx configuration with `nginx -t`, the systemd unit with
`systemd-analyze verify` (both where installed), and the compose file and Dockerfile against the
facts they must agree with (the torch pin, the health endpoint, the settings they set).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
SETTING_NAMES = {name.upper() for name in Settings.model_fields}


def _dockerfile_arg(name: str) -> str:
    match = re.search(rf"^ARG {name}=(\S+)$", DOCKERFILE, re.MULTILINE)
    assert match, f"Dockerfile has no ARG {name}"
    return match.group(1)


def test_dockerfile_pins_the_same_cpu_torch_as_the_project():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [d for d in project["project"]["dependencies"] if d.startswith("torch")]
    assert pins == [f"torch=={_dockerfile_arg('TORCH_VERSION')}"]
    assert "/cpu" in _dockerfile_arg("TORCH_INDEX_URL")


def test_image_runs_unprivileged_with_a_health_check_on_the_real_endpoint():
    users = re.findall(r"^USER (\S+)$", DOCKERFILE, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    assert "HEALTHCHECK" in DOCKERFILE and "/healthz" in DOCKERFILE
    server = (ROOT / "bot" / "slack" / "server.py").read_text(encoding="utf-8")
    assert 'Route("/healthz"' in server


def test_dockerfile_sets_only_real_settings():
    # The final stage's ENV block is the one the running app sees.
    env_blocks = re.findall(r"^ENV .*?(?=^\S)", DOCKERFILE, re.MULTILINE | re.DOTALL)
    assert env_blocks
    coach_vars = set(re.findall(r"\b(COACH_[A-Z_]+|PORT)=", env_blocks[-1]))
    assert coach_vars and coach_vars <= SETTING_NAMES


def test_compose_runs_two_http_instances_on_shared_stores():
    services = COMPOSE["services"]
    apps = [s for s in services.values() if s.get("command") == ["coach", "slack"]]
    assert len(apps) == 2
    for app in apps:
        env = app["environment"]
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["CHROMA_URL"] == "http://chroma:8000"
        assert env["SLACK_APP_TOKEN"] == ""  # HTTP mode: no instance opens its own socket
        assert set(env) <= SETTING_NAMES
        assert app["depends_on"]["indexer"]["condition"] == "service_completed_successfully"
    assert services["indexer"]["command"] == ["coach", "index"]
    assert {"postgres", "chroma", "proxy"} <= set(services)
    for name in ("postgres", "chroma"):
        assert "test" in services[name]["healthcheck"]


def test_compose_chroma_server_matches_the_client_major_minor():
    from importlib.metadata import version

    image = COMPOSE["services"]["chroma"]["image"]
    server = image.rsplit(":", 1)[1].split(".")[:2]
    assert server == version("chromadb").split(".")[:2]


def test_compose_keeps_secrets_out_of_the_file():
    text = (ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8")
    assert "xoxb-" not in text and "xapp-" not in text
    assert "${POSTGRES_PASSWORD:?" in text


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx not installed")
def test_nginx_configuration_is_valid(tmp_path):
    site = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    # The compose service names do not resolve here; nginx -t resolves upstream hosts.
    site = site.replace("app1:3000", "127.0.0.1:3001").replace("app2:3000", "127.0.0.1:3002")
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path};\n"
        f"  include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["nginx", "-t", "-c", str(main), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd not installed")
def test_systemd_unit_verifies(tmp_path):
    unit = (ROOT / "deploy" / "partnership-coach.service").read_text(encoding="utf-8")
    # Point the unit at this checkout so systemd can check the commands really exist.
    unit = unit.replace("/opt/partnership-coach", str(ROOT))
    if not (ROOT / ".venv" / "bin" / "coach").exists():
        pytest.skip("no .venv/bin/coach in this checkout")
    path = tmp_path / "partnership-coach.service"
    path.write_text(unit, encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "not executable" not in result.stderr
