"""gunicorn settings for a Sigap 123 web node, read from the environment (the same file for the container,
the systemd unit and the scale-out drill).

    gunicorn --config deploy/gunicorn.conf.py config.wsgi

GUNICORN_BIND         where to listen (default 0.0.0.0:8000; nginx on another machine proxies to it)
WEB_CONCURRENCY       worker processes (default 2 × cores + 1, at most 8)
GUNICORN_THREADS      threads per process (default 8: requests mostly wait on PostgreSQL)
GUNICORN_TIMEOUT      a request running longer than this is killed (default 60 s; exports stream)
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
# Threads: a process serves other requests while one waits on the database.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On SIGTERM (systemd stop, a rolling restart) requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# nginx keeps connections to the nodes open (upstream keepalive): keep them a little longer than it does.
keepalive = 75
# Recycle a process after this many requests (with jitter, so that they do not all restart at once).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Client addresses come from X-Forwarded-For set by nginx; Django reads it (NUM_PROXIES), not gunicorn.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Logs to stdout/stderr: journald (systemd) or the container runtime keeps them.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# No control socket (gunicornc is not used; several nodes on one host would share its path).
control_socket_disable = True
# Workers load the application themselves (not preloaded in the master), so that `systemctl reload sigap-web`
# (SIGHUP) starts workers on the new code while the old ones finish their requests: an upgrade without a restart.
preload_app = False
