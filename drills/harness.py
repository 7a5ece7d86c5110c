"""The stack a drill runs on, all of it its own and on loopback: a PostgreSQL cluster made with initdb in a
temporary directory, a Redis server, gunicorn, a Celery worker, the outbox relay, Celery beat (the sweepers)
and a fake SMS gateway. Stopping or killing any of them never touches the machine's shared services.

Several nodes (drills/scale_out.py): more gunicorn nodes and Celery workers by name, a streaming replica of the
PostgreSQL cluster (pg_basebackup), Redis with a replica and a Sentinel, and Debian's nginx in front with the
repository's own site file (deploy/nginx/) on a test certificate.

Environment:
  SIGAP_DRILL_DISABLE_SWEEPER=1   a deliberately broken build: beat (the sweepers) is not started
  SIGAP_DRILL_KEEP=1              keep the temporary directory (logs) afterwards
"""

from __future__ import annotations

import glob
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DB_NAME = "sigap_drill"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port(preferred: int) -> int:
    for port in [preferred, *range(preferred + 1, preferred + 200)]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port near {preferred}")


def pg_bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise RuntimeError(f"{name} not found under /usr/lib/postgresql/*/bin")
    return candidates[-1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError(f"timed out waiting for {what}")


# ---- fake SMS gateway ---------------------------------------------------------------------------------------


class Gateway:
    """An SMS provider that counts every request by its Idempotency-Key (the notification's reference).

    Like providers that take a client reference, it delivers a reference once: a second request with the
    same key is answered with the first message id and counted as a resend, not delivered again.
    """

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.requests: Counter = Counter()
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                key = self.headers.get("Idempotency-Key") or json.loads(body or b"{}").get("reference", "")
                if gateway.delay:
                    time.sleep(gateway.delay)
                with gateway.lock:
                    gateway.requests[key] += 1
                payload = json.dumps({"id": f"gw-{key}"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/send"

    def stats(self, references: set[str] | None = None) -> dict:
        """Requests and distinct deliveries, counting only ``references`` (the drill's own rows) if given."""
        with self.lock:
            counts = {k: v for k, v in self.requests.items() if references is None or k in references}
            total = sum(counts.values())
            return {"requests": total, "delivered": len(counts), "resends": total - len(counts)}

    def stop(self):
        self.server.shutdown()


# ---- the stack ----------------------------------------------------------------------------------------------


@dataclass
class Stack:
    name: str
    gateway_delay: float = 0.0
    web_workers: int = 3
    worker_concurrency: int = 4  # sending is I/O-bound: four processes on two cores
    extra_env: dict = field(default_factory=dict)

    pg_options: str = "-c fsync=off -c max_connections=100"

    def __post_init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix=f"sigap-drill-{self.name}-"))
        os.chmod(self.dir, 0o755)
        self.pg_port = free_port(55432)
        self.redis_port = free_port(56379)
        self.web_port = free_port(58123)
        self.sweepers = os.environ.get("SIGAP_DRILL_DISABLE_SWEEPER", "") not in {"1", "true", "yes"}
        self.procs: dict[str, subprocess.Popen] = {}
        self.front: tuple[int, str] | None = None  # (nginx HTTPS port, Host) once nginx is in front
        self.replica_port: int | None = None
        self.sentinel_port: int | None = None
        self.gateway = Gateway(self.gateway_delay)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "CACHE_URL"))},
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/{DB_NAME}",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "DEBUG": "0",
            "SECRET_KEY": "drill-" + uuid.uuid4().hex * 2,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SIGAP_TESTING": "0",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "THROTTLE_PUBLIC_INTAKE": "1000000/minute",
            "THROTTLE_PUBLIC_TRACKING": "1000000/minute",
            "NOTIFY_SMS_ADAPTER": "http",
            "NOTIFY_WHATSAPP_ADAPTER": "http",
            "NOTIFY_SMS_GATEWAY_URL": self.gateway.url,
            "NOTIFY_WHATSAPP_GATEWAY_URL": self.gateway.url,
            "NOTIFY_EMAIL_ADAPTER": "console",
            "MEDIA_ROOT": str(self.dir / "media"),
            "LOG_LEVEL": "WARNING",
            **self.extra_env,
        }
        self.env.pop("PYTEST_CURRENT_TEST", None)

    # -- PostgreSQL --
    def _as_postgres(self, *args: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)

    def start_postgres(self, *, init: bool = True) -> None:
        data = self.dir / "pgdata"
        if init:
            data.mkdir()
            if os.geteuid() == 0:
                shutil.chown(data, "postgres", "postgres")
            subprocess.run(
                self._as_postgres(pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"),
                check=True,
                capture_output=True,
            )
        subprocess.run(
            self._as_postgres(
                pg_bin("pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w", "-t", "60", "start",
                "-o", f"-p {self.pg_port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={data}"
                f" {self.pg_options}",
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip
        if init:
            subprocess.run(
                [pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", DB_NAME], check=True
            )

    def pg_ctl(self, *args: str) -> float:
        started = time.monotonic()
        subprocess.run(
            self._as_postgres(pg_bin("pg_ctl"), "-D", str(self.dir / "pgdata"), "-w", "-t", "60", *args),
            check=True,
            capture_output=True,
        )
        return time.monotonic() - started

    def restart_postgres(self) -> float:
        return self.pg_ctl(
            "restart", "-m", "fast", "-l", str(self.dir / "pgdata" / "server.log"),
            "-o", f"-p {self.pg_port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir / 'pgdata'}"
            f" {self.pg_options}",
        )  # fmt: skip

    # -- a streaming replica of the cluster, made by pg_basebackup, on a second port --
    def start_pg_replica(self) -> None:
        data = self.dir / "pgreplica"
        data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        os.chmod(data, 0o700)
        subprocess.run(
            self._as_postgres(pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres",
                              "-D", str(data), "-R", "-X", "stream", "--checkpoint=fast"),
            check=True, capture_output=True,
        )  # fmt: skip
        self.replica_port = free_port(self.pg_port + 1)
        # A standby needs at least the primary's max_connections.
        max_connections = re.search(r"-c max_connections=\d+", self.pg_options)
        max_connections = max_connections.group(0) if max_connections else ""
        started = subprocess.run(
            self._as_postgres(
                pg_bin("pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w", "-t", "60", "start",
                "-o", f"-p {self.replica_port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={data}"
                " -c hot_standby=on -c hot_standby_feedback=on -c max_standby_streaming_delay=30s"
                f" -c fsync=off {max_connections}",
            ),
            capture_output=True,
        )  # fmt: skip
        if started.returncode != 0:
            raise RuntimeError(f"the replica did not start:\n{(data / 'server.log').read_text()[-2000:]}")

    def stop_pg_replica(self) -> float:
        started = time.monotonic()
        subprocess.run(
            self._as_postgres(pg_bin("pg_ctl"), "-D", str(self.dir / "pgreplica"), "-w", "-t", "60", "stop",
                              "-m", "fast"),
            check=True, capture_output=True,
        )  # fmt: skip
        return time.monotonic() - started

    def replica_lag_bytes(self) -> int | None:
        """WAL bytes the replica has yet to replay (None if it does not answer)."""
        try:
            primary = self.sql("SELECT pg_current_wal_lsn()::text")[0][0]
            query = f"SELECT pg_wal_lsn_diff('{primary}', pg_last_wal_replay_lsn())"
            return int(self.sql(query, port=self.replica_port)[0][0])
        except Exception:  # the replica is stopped
            return None

    # -- Redis --
    def start_redis(self) -> None:
        out = open(self.dir / "redis.log", "a")  # noqa: SIM115
        self.procs["redis"] = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until(self.redis_up, 15, "redis")

    def _redis_ping(self, port: int) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop_redis(self) -> None:
        process = self.procs.pop("redis")
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)

    # -- Redis with a replica and a Sentinel (the settings' REDIS_SENTINELS) --
    SENTINEL_MASTER = "sigap"

    def start_redis_ha(self) -> None:
        """The master (start_redis), a replica of it and one Sentinel watching them (quorum 1; production runs
        three). The Sentinel declares the master down after 1 s without an answer."""
        import redis

        self.start_redis()
        redis.Redis(port=self.redis_port).config_set("repl-diskless-sync-delay", 0)  # replica in sync at once
        replica_port = free_port(self.redis_port + 1)
        (self.dir / "redis-replica").mkdir()
        self._spawn(
            "redis-replica",
            ["redis-server", "--port", str(replica_port), "--bind", "127.0.0.1",
             "--dir", str(self.dir / "redis-replica"),
             "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction",
             "--replicaof", "127.0.0.1", str(self.redis_port)],
        )  # fmt: skip
        replica = redis.Redis(port=replica_port, socket_timeout=1)
        wait_until(lambda: _quiet(lambda: replica.info("replication")["master_link_status"] == "up"), 30,
                   "the Redis replica to sync")  # fmt: skip
        self.sentinel_port = free_port(57379)
        conf = self.dir / "sentinel.conf"
        conf.write_text(
            f"port {self.sentinel_port}\nbind 127.0.0.1\ndir {self.dir}\n"
            f"sentinel monitor {self.SENTINEL_MASTER} 127.0.0.1 {self.redis_port} 1\n"
            f"sentinel down-after-milliseconds {self.SENTINEL_MASTER} 1000\n"
            f"sentinel failover-timeout {self.SENTINEL_MASTER} 10000\n"
            f"sentinel parallel-syncs {self.SENTINEL_MASTER} 1\n"
        )
        self._spawn("sentinel", ["redis-server", str(conf), "--sentinel"])
        wait_until(lambda: self.redis_master_port() == self.redis_port, 30, "the Sentinel to see the master")
        wait_until(lambda: _quiet(lambda: self._sentinel().sentinel_slaves(self.SENTINEL_MASTER)), 30,
                   "the Sentinel to see the replica")  # fmt: skip
        self.env.pop("REDIS_URL", None)
        self.env.update(
            {"REDIS_SENTINELS": f"127.0.0.1:{self.sentinel_port}", "REDIS_SENTINEL_MASTER": self.SENTINEL_MASTER}
        )

    def _sentinel(self):
        import redis

        return redis.Redis(port=self.sentinel_port, socket_timeout=1, decode_responses=True)

    def redis_master_port(self) -> int | None:
        found = _quiet(lambda: self._sentinel().sentinel_get_master_addr_by_name(self.SENTINEL_MASTER))
        return int(found[1]) if found else None

    def fail_redis_over(self) -> float:
        """SIGKILL the Redis master (as when its machine dies); seconds until the Sentinel names the replica."""
        old = self.redis_master_port()
        process = self.procs.pop("redis")
        process.kill()
        process.wait(timeout=10)
        killed = time.monotonic()
        wait_until(lambda: (self.redis_master_port() or old) != old, 60, "the Sentinel to fail over")
        return time.monotonic() - killed

    def redis_up(self) -> bool:
        return self._redis_ping(self.redis_port)

    # -- Django processes --
    def manage(self, *args: str) -> None:
        argv = [sys.executable, "manage.py", *args]
        done = subprocess.run(argv, cwd=ROOT, env=self.env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")

    def _spawn(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        out = open(self.dir / f"{name}.log", "a")  # noqa: SIM115
        process = subprocess.Popen(
            argv, cwd=ROOT, env={**self.env, **(env or {})}, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.procs[name] = process
        return process

    def start_web(self, name: str = "web", port: int | None = None) -> None:
        if port is None:
            self._spawn(
                name,
                [str(VENV_BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{self.web_port}",
                 "-w", str(self.web_workers), "-k", "gthread", "--threads", "8", "--timeout", "60"],
            )  # fmt: skip
            wait_until(lambda: self.http("GET", "/healthz")[0] == 200, 60, "gunicorn")
            return
        # Another web node, configured by the deployment's own gunicorn file (deploy/gunicorn.conf.py).
        self._spawn(
            name,
            [str(VENV_BIN / "gunicorn"), "--config", str(ROOT / "deploy" / "gunicorn.conf.py"), "config.wsgi"],
            env={"GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(self.web_workers),
                 "GUNICORN_ACCESS_LOG": ""},
        )  # fmt: skip
        wait_until(lambda: self.http("GET", "/healthz", port=port)[0] == 200, 60, f"gunicorn {name}")

    def kill(self, name: str) -> None:
        """SIGKILL a process and its children at once (as when its machine dies)."""
        process = self.procs.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def warm_up(self) -> None:
        """A few requests to every web process first, so cold imports do not count in the figures."""
        body = {"category": "TG-LONJAK", "description": "warm-up", "reporter_phone": "+6289900000001",
                "id_pelanggan": "530000000001", "unit": "ULP-DRILL"}  # fmt: skip
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(lambda _: self.http("POST", "/api/v1/tickets/", body), range(self.web_workers * 8)))
        time.sleep(2)

    def start_worker(self, name: str = "worker") -> None:
        self._spawn(
            name,
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "info",
             "-c", str(self.worker_concurrency),
             "-P", "prefork", "-n", f"drill-{name}-{uuid.uuid4().hex[:6]}@%h", "--without-gossip",
             "--without-mingle", "--without-heartbeat"],
        )  # fmt: skip
        wait_until(lambda: "ready." in (self.dir / f"{name}.log").read_text(), 60, f"celery {name}")

    def kill_worker(self) -> None:
        """SIGKILL the worker and its pool children at once (as when its machine or container dies)."""
        process = self.procs.pop("worker")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def start_beat(self, name: str = "beat") -> None:
        if not self.sweepers:
            log("SIGAP_DRILL_DISABLE_SWEEPER=1: beat (the sweepers) NOT started — a deliberately broken build")
            return
        self._spawn(
            name,
            [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info",
             "--schedule", str(self.dir / f"{name}-schedule")],
        )  # fmt: skip

    def start_relay(self, name: str = "relay") -> None:
        """The outbox relay (``manage.py run_relay``): publishes what the requests commit, as in production."""
        self._spawn(name, [sys.executable, "manage.py", "run_relay"])

    # -- nginx in front (Debian's), with the repository's site file --
    def start_nginx(self, upstream_ports: list[int]) -> None:
        self.https_port = free_port(58443)
        self.http_port = free_port(58080)
        main = nginx_config(self.dir / "nginx", http_port=self.http_port, https_port=self.https_port,
                            upstream_ports=upstream_ports)  # fmt: skip
        self._spawn("nginx", ["nginx", "-p", str(self.dir / "nginx"), "-c", str(main), "-g", "daemon off;"])
        self.front = (self.https_port, NGINX_SERVER_NAME)
        wait_until(lambda: self.http("GET", "/healthz")[0] == 200, 30, "nginx")

    def start(self, *, worker: bool = True, beat: bool = True) -> Stack:
        log(f"{self.name}: starting PostgreSQL :{self.pg_port}, Redis :{self.redis_port} in {self.dir}")
        self.start_postgres()
        self.start_redis()
        self.manage("migrate", "--noinput")
        self.manage("shell", "-c", SEED)
        self.start_web()
        if worker:
            self.start_worker()
        self.start_relay()
        self.warm_up()
        if beat:
            self.start_beat()
        beats = "beat" if self.sweepers and beat else "no beat"
        log(f"{self.name}: gunicorn :{self.web_port}, worker, relay, {beats} up")
        return self

    def stop(self) -> None:
        for name, process in list(self.procs.items()):
            try:
                os.killpg(process.pid, signal.SIGTERM) if name != "redis" else process.terminate()
                process.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    process.kill()
                except ProcessLookupError:
                    pass
        self.procs.clear()
        try:
            self.pg_ctl("stop", "-m", "immediate")
        except subprocess.CalledProcessError:
            pass
        if (self.dir / "pgreplica" / "postmaster.pid").exists():
            subprocess.run(
                self._as_postgres(pg_bin("pg_ctl"), "-D", str(self.dir / "pgreplica"), "-w", "stop", "-m", "immediate"),
                capture_output=True,
            )
        self.gateway.stop()
        if os.environ.get("SIGAP_DRILL_KEEP"):
            log(f"logs kept in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Stack:
        try:
            return self.start()
        except BaseException:
            self.dump_logs()
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:
            self.dump_logs()
        self.stop()

    def dump_logs(self, lines: int = 30) -> None:
        for path in sorted(self.dir.glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            print(f"---- {path.name} (last {len(text)} lines)\n" + "\n".join(text), flush=True)

    # -- HTTP --
    def http(
        self, method: str, path: str, body: dict | bytes | None = None, headers: dict | None = None, timeout=10.0,
        port: int | None = None,
    ):  # fmt: skip
        """A request to gunicorn (``port``: a given node), or through nginx over TLS once it is in front."""
        extra = {}
        if port is None and self.front is not None:
            connection = http.client.HTTPSConnection(
                "127.0.0.1", self.front[0], timeout=timeout, context=ssl._create_unverified_context()
            )
            extra["Host"] = self.front[1]
        else:
            connection = http.client.HTTPConnection("127.0.0.1", port or self.web_port, timeout=timeout)
        try:
            payload = json.dumps(body).encode() if isinstance(body, dict) else body
            connection.request(
                method, path, body=payload,
                headers={"Content-Type": "application/json", **extra, **(headers or {})},
            )  # fmt: skip
            response = connection.getresponse()
            data = response.read()
            return response.status, data, dict(response.getheaders())
        except (OSError, http.client.HTTPException) as exc:  # no (complete) answer: the client tries again
            return 0, str(exc).encode(), {}
        finally:
            connection.close()

    # -- dispatch (routing of outage tickets), when the dispatch app is installed --
    def has_dispatch(self) -> bool:
        return bool(self.sql("SELECT 1 FROM information_schema.tables WHERE table_name = 'dispatch_assignment'"))

    def dispatch_figures(self, phones: str) -> dict:
        """Routing of the drill's tickets: how many are routed, and whether anyone was booked twice."""
        live = "('offered', 'accepted', 'en_route', 'on_site')"
        routed, unrouted = self.sql(
            "SELECT count(*) FILTER (WHERE r.id IS NOT NULL AND t.dispatch_state IN ('assigned', 'unassignable')),"
            " count(*) FILTER (WHERE r.id IS NULL OR t.dispatch_state NOT IN ('assigned', 'unassignable'))"
            " FROM tickets_ticket t LEFT JOIN dispatch_incidentreport r ON r.ticket_id = t.id"
            f" WHERE {phones} AND t.dispatch_state <> 'not_needed'"
        )[0]
        double_incidents = self.sql(
            f"SELECT count(*) FROM (SELECT incident_id FROM dispatch_assignment WHERE state IN {live}"
            " GROUP BY 1 HAVING count(*) > 1) x"
        )[0][0]
        overbooked = self.sql(
            f"SELECT count(*) FROM (SELECT a.technician_id FROM dispatch_assignment a JOIN dispatch_technician t"
            f" ON t.id = a.technician_id WHERE a.state IN {live} GROUP BY a.technician_id, t.job_limit"
            " HAVING count(*) > t.job_limit) x"
        )[0][0]
        assignments = self.sql("SELECT count(*) FROM dispatch_assignment")[0][0]
        return {
            "routed": routed,
            "unrouted": unrouted,
            "double_incidents": double_incidents,
            "overbooked": overbooked,
            "assignments": assignments,
        }

    # -- the database, read by the drill --
    def sql(self, query: str, port: int | None = None) -> list[tuple]:
        import psycopg2

        with psycopg2.connect(
            host="127.0.0.1", port=port or self.pg_port, user="postgres", dbname=DB_NAME, connect_timeout=3
        ) as conn:
            with conn.cursor() as cursor:
                cursor.execute(query)
                return cursor.fetchall() if cursor.description else []


SEED = """
from tickets.models import ServiceUnit
up3, _ = ServiceUnit.objects.get_or_create(code="UP3-DRILL", defaults={"name": "UP3 Drill", "level": "UP3",
    "time_zone": "Asia/Makassar", "center_lat": -1.24, "center_lng": 116.85})
ulp, _ = ServiceUnit.objects.get_or_create(code="ULP-DRILL", defaults={"name": "ULP Drill", "level": "ULP",
    "parent": up3, "time_zone": "Asia/Makassar", "center_lat": -1.21, "center_lng": 116.87})
try:
    from dispatch.models import Technician
except ImportError:
    Technician = None
if Technician is not None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    for n in range(8):
        user, _ = get_user_model().objects.get_or_create(username=f"drill-tech-{n}")
        Technician.objects.update_or_create(user=user, defaults={"unit": ulp, "skills": ["lv", "mv", "meter"],
            "on_duty": True, "state": "available", "job_limit": 2, "last_lat": -1.21 + n * 0.003,
            "last_lng": 116.87, "last_position_at": timezone.now()})
"""


def _quiet(function):
    """``function()``, or None if it raises (a service still starting, or stopped on purpose)."""
    try:
        return function()
    except Exception:
        return None


# ---- nginx: the repository's site file, on loopback ----------------------------------------------------------

NGINX_SERVER_NAME = "sigap.example.id"


def make_test_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for NGINX_SERVER_NAME, made by openssl (never a real one)."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={NGINX_SERVER_NAME}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def nginx_config(directory: Path, *, http_port: int, https_port: int, upstream_ports: list[int]) -> Path:
    """deploy/nginx/sigap.conf and sigap-upstream.conf made to run here: the same directives, with loopback
    ports, a test certificate and paths in ``directory``. Returns the main configuration file's path."""
    directory.mkdir(parents=True, exist_ok=True)
    for sub in ("logs", "tmp", "static"):
        (directory / sub).mkdir(exist_ok=True)
        os.chmod(directory / sub, 0o777)
    cert, key = make_test_certificate(directory / "tls")
    site = (ROOT / "deploy" / "nginx" / "sigap.conf").read_text()
    site = re.sub(r"listen \[::\]:\d+[^;]*;\n", "", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
    site = site.replace("/etc/ssl/sigap/fullchain.pem", str(cert)).replace("/etc/ssl/sigap/privkey.pem", str(key))
    site = site.replace("/var/log/nginx/", f"{directory / 'logs'}/")
    site = site.replace("/srv/sigap/static/", f"{directory / 'static'}/")
    site = site.replace("/var/www/acme", str(directory / "static"))
    upstream = (ROOT / "deploy" / "nginx" / "sigap-upstream.conf").read_text()
    servers = re.findall(r"^\s*server \S+ ([^;]*);", upstream, flags=re.M)
    parameters = servers[0] if servers else ""
    upstream = re.sub(r"^\s*server \S+[^;]*;\n", "", upstream, flags=re.M)
    upstream = upstream.replace(
        "upstream sigap_web {\n",
        "upstream sigap_web {\n" + "".join(f"    server 127.0.0.1:{p} {parameters};\n" for p in upstream_ports),
    )
    (directory / "sigap.conf").write_text(site)
    (directory / "sigap-upstream.conf").write_text(upstream)
    temp = directory / "tmp"
    main = directory / "nginx.conf"
    main.write_text(
        f"worker_processes 1;\npid {directory / 'nginx.pid'};\nerror_log {directory / 'logs' / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"    access_log {directory / 'logs' / 'access.log'};\n"
        f"    client_body_temp_path {temp}/body;\n    proxy_temp_path {temp}/proxy;\n"
        f"    fastcgi_temp_path {temp}/fastcgi;\n    uwsgi_temp_path {temp}/uwsgi;\n    scgi_temp_path {temp}/scgi;\n"
        f"    include {directory / 'sigap-upstream.conf'};\n    include {directory / 'sigap.conf'};\n}}\n"
    )
    return main


# ---- load -----------------------------------------------------------------------------------------------------


@dataclass
class Result:
    key: str
    sent_at: float
    status: int = 0
    number: str = ""
    latency: float = 0.0
    attempts: int = 0
    answers: list = field(default_factory=list)  # (status, retry_after, seconds) of every attempt
    ended: list = field(default_factory=list)  # time.monotonic() at the end of every attempt


class Load:
    """Open-loop intake at a steady rate: one POST /api/v1/tickets/ every 1/rate s, each with its own
    Idempotency-Key. A client that gets 503 (or no answer) waits Retry-After and tries again with the same key,
    as the customer app does, up to ``retries`` times."""

    def __init__(self, stack: Stack, rate: float, *, retries: int = 20, phone_prefix: str = "+62811"):
        self.stack, self.rate, self.retries, self.phone_prefix = stack, rate, retries, phone_prefix
        self.results: list[Result] = []
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=96)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.counter = 0

    def payload(self, n: int) -> dict:
        return {
            "category": "GG-PADAM-1",
            "description": f"Padam drill {n}",
            "reporter_phone": f"{self.phone_prefix}{n:07d}",
            "lat": -1.21 + (n % 50) * 0.0005,
            "lng": 116.87,
            "unit": "ULP-DRILL",
        }

    def _one(self, result: Result, n: int) -> None:
        body = self.payload(n)
        for attempt in range(1, self.retries + 1):
            started = time.monotonic()
            status, data, headers = self.stack.http(
                "POST", "/api/v1/tickets/", body, {"Idempotency-Key": result.key}, timeout=15
            )
            took = time.monotonic() - started
            retry_after = headers.get("Retry-After")
            result.answers.append((status, retry_after, took))
            result.ended.append(started + took)
            result.attempts = attempt
            if status in (200, 201):
                result.status, result.number = status, json.loads(data)["number"]
                result.latency = time.monotonic() - result.sent_at
                return
            if status in (400, 409):
                result.status = status
                return
            time.sleep(min(float(retry_after or 1), 5))
        result.status = result.answers[-1][0]

    def _run(self, seconds: float) -> None:
        start = time.monotonic()
        n = 0
        while not self._stop.is_set() and time.monotonic() - start < seconds:
            target = start + n / self.rate
            delay = target - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            result = Result(key=str(uuid.uuid4()), sent_at=time.monotonic())
            with self.lock:
                self.results.append(result)
                self.counter += 1
                index = self.counter
            self.pool.submit(self._one, result, index)
            n += 1

    def start(self, seconds: float) -> Load:
        self._thread = threading.Thread(target=self._run, args=(seconds,), daemon=True)
        self._thread.start()
        return self

    def join(self) -> None:
        if self._thread:
            self._thread.join()
        self.pool.shutdown(wait=True)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Verdict:
    """Figures printed in a table; the drill fails (exit 1) if any check is off."""

    def __init__(self, title: str):
        self.title = title
        self.rows: list[tuple[str, str, str]] = []
        self.failed: list[str] = []

    def figure(self, name: str, value) -> None:
        self.rows.append((name, str(value), ""))

    def check(self, name: str, value, ok: bool, target: str) -> None:
        self.rows.append((name, str(value), ("ok   " if ok else "FAIL ") + target))
        if not ok:
            self.failed.append(f"{name} = {value} (want {target})")

    def report(self) -> int:
        print(f"\n==== {self.title}")
        width = max(len(name) for name, _, _ in self.rows)
        for name, value, verdict in self.rows:
            print(f"  {name.ljust(width)}  {value:>12}  {verdict}")
        if self.failed:
            print(f"DRILL FAILED: {'; '.join(self.failed)}", flush=True)
            return 1
        print("DRILL PASSED", flush=True)
        return 0
