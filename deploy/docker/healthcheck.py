"""Container health check: GET /healthz on this node, 0 if it answers 200 (database and broker up).

Django checks the Host header against ALLOWED_HOSTS, so the probe names the first allowed host; /healthz is
exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT), so plain HTTP inside the container is enough.
"""

import http.client
import os
import sys

host = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip()
port = int(os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[1])
try:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=4)
    connection.request("GET", "/healthz", headers={"Host": host})
    status = connection.getresponse().status
except OSError as exc:
    print(f"unhealthy: {exc}")
    sys.exit(1)
print(f"/healthz answered {status}")
sys.exit(0 if status == 200 else 1)
