"""A real HTTP server on 127.0.0.1 standing in for an SMS / WhatsApp gateway in tests."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: str


@dataclass
class FakeGateway:
    """Answers each request with the next planned ``(status, body, delay_seconds)``, then 200."""

    plan: list = field(default_factory=list)
    received: list = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/send"

    def start(self) -> "FakeGateway":
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                status, answer, delay = gateway.plan.pop(0) if gateway.plan else (200, '{"id": "msg-1"}', 0)
                if delay:
                    time.sleep(delay)
                if status == 200:
                    gateway.received.append(Received(self.path, dict(self.headers), body))
                payload = answer.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
