"""The files in deploy/ parse and pass their tools' own checks on this machine: nginx -t (Debian's nginx, test
certificate made by openssl), systemd-analyze verify, the compose file's structure, the Dockerfile's shape.
Container images are not built here (no registry to pull a base image from); drills/scale_out.py runs the
nginx site, the gunicorn file and the PostgreSQL settings for real."""

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from drills.harness import nginx_config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def megabytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", value.lower()).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit]


# ---- nginx ----


def test_the_nginx_site_passes_nginx_t(tmp_path):
    if not shutil.which("nginx"):
        # .ci/run installs Debian's nginx, so in CI a missing nginx is a failure; on a laptop without it the
        # test is reported as skipped with this reason, never counted as passed.
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (.ci/run installs it)")
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run installs it)")
    main = nginx_config(tmp_path, http_port=18080, https_port=18443, upstream_ports=[18001, 18002])
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_nginx_site_forwards_the_client_and_scheme_and_limits_uploads_to_the_photo_size():
    site = (DEPLOY / "nginx" / "sigap.conf").read_text()
    server_level = site.split("location /static/")[0]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in server_level
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in server_level
    assert "return 301 https://$host$request_uri;" in site
    limit = megabytes(re.search(r"^\s{4}client_max_body_size (\w+);", site, flags=re.M).group(1))
    assert settings.PHOTO_MAX_BYTES < limit <= settings.PHOTO_MAX_BYTES + 2 * 1024**2
    events_limit = megabytes(re.search(r"calls/events/ \{\s*client_max_body_size (\w+);", site).group(1))
    assert settings.RECORDING_MAX_BYTES < events_limit
    assert re.search(r"proxy_next_upstream error timeout;", site)
    assert "http_503" not in site.split("proxy_next_upstream ")[1].split(";")[0]  # the database away: not a node fault
    assert "alias /srv/sigap/static/;" in site and "location /media/ {\n        return 404;" in site


def test_the_upstream_lists_several_nodes_with_passive_health_checks():
    upstream = (DEPLOY / "nginx" / "sigap-upstream.conf").read_text()
    servers = re.findall(r"^\s*server (\S+) ([^;]*);", upstream, flags=re.M)
    assert len(servers) >= 2
    assert all("max_fails=" in params and "fail_timeout=" in params for _, params in servers)


# ---- systemd ----


def _units_for_this_machine(tmp_path: Path) -> list[Path]:
    env = tmp_path / "sigap.env"
    env.write_text((DEPLOY / "systemd" / "sigap.env.example").read_text())
    venv = Path(sys.executable).parent.parent
    units = []
    for source in sorted((DEPLOY / "systemd").glob("sigap*.service")) + [DEPLOY / "systemd" / "sigap.target"]:
        text = source.read_text()
        text = text.replace("/srv/sigap/venv", str(venv)).replace("/srv/sigap/app", str(ROOT))
        text = text.replace("/etc/sigap/sigap.env", str(env))
        name = source.name.replace("@.service", "@dispatch.service")
        target = tmp_path / name
        target.write_text(text)
        units.append(target)
    return units


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    units = _units_for_this_machine(tmp_path)
    if not shutil.which("systemd-analyze"):
        # A container or a minimal image may have no systemd at all; the units' contents are still checked by
        # the next test (test_the_units_run_gunicorn_workers_per_queue_and_one_beat_with_the_environment_file),
        # so this is reported as a skip, never as a pass.
        pytest.skip("systemd-analyze is not installed; the units are parsed by the next test")
    result = subprocess.run(["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True)
    problems = [line for line in (result.stdout + result.stderr).splitlines() if "sigap" in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


def test_the_units_run_gunicorn_workers_per_queue_and_one_beat_with_the_environment_file():
    def unit(name):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str
        parser.read(DEPLOY / "systemd" / name)
        return parser

    web, worker, beat = unit("sigap-web.service"), unit("sigap-worker@.service"), unit("sigap-beat.service")
    for parsed in (web, worker, beat):
        assert parsed["Service"]["EnvironmentFile"] == "/etc/sigap/sigap.env"
        assert parsed["Service"]["User"] == "sigap"
    assert "gunicorn --config /srv/sigap/app/deploy/gunicorn.conf.py config.wsgi" in web["Service"]["ExecStart"]
    assert " -Q %i " in worker["Service"]["ExecStart"] and " -n %i@%H " in worker["Service"]["ExecStart"]
    assert " beat " in beat["Service"]["ExecStart"]
    relay = unit("sigap-relay.service")
    assert relay["Service"]["EnvironmentFile"] == "/etc/sigap/sigap.env" and relay["Service"]["User"] == "sigap"
    assert relay["Service"]["ExecStart"].endswith("manage.py run_relay")
    assert relay["Install"]["WantedBy"] == "sigap.target"
    env_keys = {line.split("=")[0] for line in (DEPLOY / "systemd" / "sigap.env.example").read_text().splitlines()
                if line and not line.startswith("#")}  # fmt: skip
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_SENTINELS",
            "BEHIND_PROXY", "NUM_PROXIES", "MEDIA_ROOT", "WORKER_CONCURRENCY"} <= env_keys  # fmt: skip


def test_every_queue_the_settings_route_to_is_declared_and_documented_in_the_worker_unit():
    from config.celery import app

    declared = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    unit = (DEPLOY / "systemd" / "sigap-worker@.service").read_text()
    for task_name in [name for name in app.tasks if not name.startswith("celery.")]:
        queue = app.amqp.router.route({}, task_name)["queue"].name
        assert queue in declared, task_name
    for queue in declared:
        assert queue in unit


# ---- containers ----


def test_the_compose_file_runs_postgres_redis_web_worker_beat_and_nginx_from_one_image():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "relay", "beat", "nginx", "migrate"} <= set(services)
    assert services["relay"]["entrypoint"] == ["python", "manage.py", "run_relay"]
    for name in ("web", "worker", "relay", "beat", "migrate"):
        assert services[name]["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
        assert services[name]["image"] == "sigap:latest"
        assert services[name]["env_file"] == "sigap.env"
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["worker"]["entrypoint"][:4] == ["celery", "-A", "config", "worker"]
    queues = services["worker"]["entrypoint"][services["worker"]["entrypoint"].index("-Q") + 1].split(",")
    assert set(queues) == {queue.name for queue in settings.CELERY_TASK_QUEUES}
    assert "./nginx/sigap.conf:/etc/nginx/conf.d/sigap.conf:ro" in services["nginx"]["volumes"]
    assert set(compose["volumes"]) == {"pgdata", "redisdata", "media", "static"}
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"]


def test_the_compose_postgres_runs_with_the_settings_of_the_postgresql_file():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    flags = compose["services"]["postgres"]["command"]
    given = dict(flag.split("=", 1) for flag in flags[2::2])
    conf = dict(re.findall(r"^(\w+)\s*=\s*(\S+)", (DEPLOY / "postgresql" / "sigap.conf").read_text(), flags=re.M))
    assert given and all(conf[key] == value for key, value in given.items()), (given, conf)
    assert conf["synchronous_commit"] == "on"
    assert int(conf["commit_delay"]) > 0 and int(conf["commit_siblings"]) > 0


def test_the_dockerfile_is_multi_stage_non_root_gunicorn_with_static_files_and_a_health_check():
    lines = [line.strip() for line in (DEPLOY / "Dockerfile").read_text().splitlines()]
    stages = [line for line in lines if line.startswith("FROM ")]
    assert len(stages) >= 2 and "AS build" in stages[0] and "AS runtime" in stages[-1]
    assert "COPY --from=build /opt/venv /opt/venv" in lines
    text = "\n".join(lines)
    runtime = text.split(stages[-1])[1]
    assert "collectstatic --noinput" in runtime
    user = [line for line in lines if line.startswith("USER ")]
    assert user == ["USER sigap"]
    assert runtime.index("USER sigap") < runtime.index("ENTRYPOINT")
    assert 'ENTRYPOINT ["gunicorn", "--config", "/srv/sigap/app/deploy/gunicorn.conf.py"]' in lines
    assert "HEALTHCHECK" in runtime and "healthcheck.py" in runtime
    assert "/healthz" in (DEPLOY / "docker" / "healthcheck.py").read_text()


def test_the_gunicorn_file_reads_its_settings_from_the_environment(monkeypatch):
    import runpy

    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:9999")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["bind"] == "127.0.0.1:9999" and config["workers"] == 3
    assert config["worker_class"] == "gthread" and config["graceful_timeout"] < config["timeout"]


def test_the_health_endpoint_answers_plain_http_even_when_https_is_enforced(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def test_every_deployment_setting_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    for name in ("DATABASE_REPLICA_URL", "DATABASE_REPLICA_READS", "REPLICA_PIN_SECONDS", "REDIS_SENTINELS",
                 "REDIS_SENTINEL_MASTER", "REDIS_SENTINEL_DB", "REDIS_PASSWORD", "REDIS_SENTINEL_PASSWORD",
                 "BEAT_LOCK_TTL_SECONDS", "MEDIA_STORAGE_BACKEND", "MEDIA_STORAGE_OPTIONS", "STATIC_ROOT",
                 "DB_REPLICA_CONNECT_TIMEOUT", "GUNICORN_BIND", "WEB_CONCURRENCY",
                 "DB_PREPARED_STATEMENTS"):  # fmt: skip
        assert name in example, name


def test_the_cache_takes_a_redis_database_beside_the_brokers_that_exists():
    """A default Redis has databases 0–15: a broker on the last one puts the cache on the one before."""
    from config.settings import _next_redis_db

    assert _next_redis_db("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/1"
    assert _next_redis_db("redis://127.0.0.1:6379/8") == "redis://127.0.0.1:6379/9"
    assert _next_redis_db("redis://:secret@redis.internal:6379/15") == "redis://:secret@redis.internal:6379/14"
    assert _next_redis_db("redis://127.0.0.1:6379") == "redis://127.0.0.1:6379/1"
