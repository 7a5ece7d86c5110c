"""A stub of the CIS billing API (docs/billing.md) on 127.0.0.1, with switchable bad behaviour."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOOD = {
    "id_pelanggan": "532100000042",
    "name": "Budi Santoso",
    "payment_type": "postpaid",
    "tariff": "R-1/TR",
    "power_va": 1300,
    "bills": [
        {"period": "2026-10", "reading_start": 1000, "reading_end": 1150, "kwh": 150, "amount": "216705",
         "late_fee": "0", "due_date": "2026-11-20", "paid_at": "2026-11-05T10:00:00+08:00"},
        {"period": "2026-11", "reading_start": 1150, "reading_end": 1420, "kwh": 270, "amount": "390069",
         "late_fee": "0", "due_date": "2026-12-20", "paid_at": None},
    ],
    "purchases": [],
}  # fmt: skip


class StubCis:
    def __init__(self):
        self.mode = "good"  # good | slow | error | garbage | malformed
        self.delay = 0.0
        self.requests: list[tuple[str, str, dict | None]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, code: int, body: bytes):
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                stub.requests.append(("GET", self.path, None))
                if stub.mode == "slow":
                    time.sleep(stub.delay)
                if stub.mode == "error":
                    return self._answer(503, b'{"error": "maintenance"}')
                if stub.mode == "garbage":
                    return self._answer(200, b"<html>login</html>")
                if stub.mode == "malformed":
                    body = dict(GOOD, bills=[{"period": "2026-11", "kwh": "lots"}])
                    return self._answer(200, json.dumps(body).encode())
                if "/customers/532100000042/" not in self.path:
                    return self._answer(404, b'{"error": "not found"}')
                return self._answer(200, json.dumps(GOOD).encode())

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                stub.requests.append(("POST", self.path, payload))
                if stub.mode == "error":
                    return self._answer(503, b"{}")
                return self._answer(201, json.dumps({"reference": f"CIS-{len(stub.requests)}"}).encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
