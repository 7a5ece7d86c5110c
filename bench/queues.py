"""Benchmark: staff lists and the public tracking page over the seeded million tickets, p50/p95/p99 over HTTP.

    DATABASE_URL=postgres://…/sigap_bench REDIS_URL=redis://…/8 .venv/bin/python bench/queues.py \
        [--seconds 10] [--concurrency 4] [--workers 4] [--only board]

Needs the data set of ``manage.py seed_scale``. Starts gunicorn (DEBUG off) and a Celery worker, logs in the
seeded staff (one ULP's back office, a UP3 supervisor, the admin, a UID dispatcher) and drives each page with wrk
(or the Python client) for ``--seconds`` after a short warm-up. Targets: lists p95 < 100 ms, tracking < 30 ms.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import stack  # noqa: E402

LIST_TARGET_MS, TRACKING_TARGET_MS = 100, 30


def cases(cookies: dict[str, str], sample: dict) -> list[dict]:
    bo, sup, adm, dsp = (cookies[k] for k in ("backoffice", "supervisor", "admin", "dispatcher"))
    api = "/api/v1/tickets/"
    rows = [
        ("back-office queue, one ULP", bo, "/backoffice/", LIST_TARGET_MS),
        ("back-office queue, unclaimed, one ULP", bo, "/backoffice/?queue=unclaimed", LIST_TARGET_MS),
        ("back-office queue, UP3 supervisor", sup, "/backoffice/", LIST_TARGET_MS),
        ("back-office queue, admin (all ULPs)", adm, "/backoffice/", LIST_TARGET_MS),
        ("back-office queue, admin, page 5", adm, "/backoffice/?page=5", LIST_TARGET_MS),
        ("escalations, admin", adm, "/backoffice/escalations/", LIST_TARGET_MS),
        ("ticket API, UP3 supervisor", sup, api, LIST_TARGET_MS),
        ("ticket API, admin", adm, api, LIST_TARGET_MS),
        ("ticket API, status received+in_progress", sup, api + "?status=received&status=in_progress", LIST_TARGET_MS),
        ("ticket API, kind+unit", sup, api + "?kind=technical&unit=SC-ULP-003", LIST_TARGET_MS),
        ("ticket API, category+channel", sup, api + "?category=TG-LONJAK&channel=phone", LIST_TARGET_MS),
        ("ticket API, reporter phone", adm, api + "?phone=" + sample["phone"].replace("+", "%2B"), LIST_TARGET_MS),
        ("ticket API, created in the last 7 days", sup, api + "?created_after=" + sample["week_ago"], LIST_TARGET_MS),
        ("ticket API, next page (cursor)", sup, sample["next_page"], LIST_TARGET_MS),
        ("tracking page /t/<token>/", None, "TOKENS:/t/{}/", TRACKING_TARGET_MS),
        ("tracking API /api/v1/track/<token>/", None, "TOKENS:/api/v1/track/{}/", TRACKING_TARGET_MS),
        ("tracking poll /t/<token>/status.json", None, "TOKENS:/t/{}/status.json", TRACKING_TARGET_MS),
    ]
    if sample.get("dispatch"):
        rows += [
            ("dispatcher board API, UID (50 ULPs)", dsp, "/api/v1/dispatch/board/", LIST_TARGET_MS),
            ("dispatcher board API, UP3 supervisor", sup, "/api/v1/dispatch/board/", LIST_TARGET_MS),
            ("incident list API, open, UID", dsp, "/api/v1/dispatch/incidents/?open=1", LIST_TARGET_MS),
            ("incident list API, all, UID", dsp, "/api/v1/dispatch/incidents/", LIST_TARGET_MS),
        ]
        if sample.get("board_page"):
            rows.append(("dispatcher board page", dsp, sample["board_page"], LIST_TARGET_MS))
    return [{"case": c, "cookie": k, "path": p, "target": t} for c, k, p, t in rows]


def lua_for(case: dict, tokens: list[str]) -> tuple[str, str]:
    headers = 'wrk.headers["Accept-Language"] = "id"\n'
    if case["cookie"]:
        headers += f'wrk.headers["Cookie"] = "sessionid={case["cookie"]}"\n'
    if case["path"].startswith("TOKENS:"):
        pattern = case["path"][len("TOKENS:") :]
        prefix, suffix = pattern.split("{}")
        lua = (
            headers
            + "local tokens = "
            + "{"
            + ",".join(json.dumps(t) for t in tokens)
            + "}\n"
            + "request = function()\n"
            + f'  return wrk.format("GET", "{prefix}" .. tokens[math.random(#tokens)] .. "{suffix}")\n'
            + "end\n"
        )
        return lua, prefix
    return headers + f'request = function() return wrk.format("GET", {json.dumps(case["path"])}) end\n', case["path"]


def python_request(case: dict, tokens: list[str]):
    import random

    def make(thread: int, n: int):
        headers = {"Accept-Language": "id"}
        if case["cookie"]:
            headers["Cookie"] = f"sessionid={case['cookie']}"
        path = case["path"]
        if path.startswith("TOKENS:"):
            path = path[len("TOKENS:") :].format(random.choice(tokens))
        return "GET", path, None, headers

    return make


def one_at_a_time(port: int, case: dict, tokens: list[str], n: int = 15) -> float:
    """Median ms of ``n`` requests sent one after another on one connection (no queueing behind others)."""
    import http.client
    import time

    make = python_request(case, tokens)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = []
    for i in range(n + 2):
        method, path, body, headers = make(0, i)
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        conn.getresponse().read()
        if i >= 2:
            times.append((time.perf_counter() - started) * 1000)
    conn.close()
    return stack.percentile(times, 0.5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--only", default="", help="run only the cases whose name contains this")
    args = parser.parse_args()
    stack.require_stack()
    stack.setup_django()
    from datetime import timedelta

    from django.apps import apps
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from tickets.models import Ticket

    if not Ticket.objects.filter(unit__code="SC-ULP-001").exists():
        sys.exit("no seeded data: run `manage.py seed_scale` first")
    cookies = {
        "backoffice": stack.session_cookie("sc-backoffice-001"),
        "supervisor": stack.session_cookie("sc-supervisor-01"),
        "admin": stack.session_cookie("sc-admin"),
        "dispatcher": stack.session_cookie("sc-dispatcher"),
    }
    recent = Ticket.objects.filter(unit__code__startswith="SC-").order_by("-id")
    tokens = list(recent.values_list("tracking_token", flat=True)[:300]) + list(
        Ticket.objects.filter(id__lt=recent.values_list("id", flat=True)[0] // 2)
        .order_by("-id")
        .values_list("tracking_token", flat=True)[:200]
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = cookies["supervisor"]
    first_page = client.get("/api/v1/tickets/").json()
    sample = {
        "phone": recent.values_list("reporter_phone", flat=True)[5],
        "week_ago": (timezone.now() - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "next_page": first_page["next"].split("testserver", 1)[-1].split("127.0.0.1", 1)[-1],
        "dispatch": apps.is_installed("dispatch"),
    }
    from django.urls import NoReverseMatch, reverse

    try:
        sample["board_page"] = reverse("dispatch:board")
    except NoReverseMatch:
        sample["board_page"] = ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'tickets_ticket'")
        estimate = cursor.fetchone()[0]
    print(f"machine: {stack.machine_facts()}")
    print(
        f"data: about {estimate:,} tickets; gunicorn {args.workers} sync workers; concurrency {args.concurrency}; "
        f"{args.seconds:.0f} s per case; load by {'wrk' if stack.have_wrk() else 'Python threads'}"
    )
    rows = []
    with stack.Services(workers=args.workers, celery=True) as services:
        for case in cases(cookies, sample):
            if args.only and args.only not in case["case"]:
                continue
            if stack.have_wrk():
                lua, path = lua_for(case, tokens)
                stack.run_wrk(port=services.port, path=path, lua=lua, connections=args.concurrency, seconds=2)
                result = stack.run_wrk(
                    port=services.port, path=path, lua=lua, connections=args.concurrency, seconds=args.seconds
                )
            else:
                make = python_request(case, tokens)
                stack.run_python_load(port=services.port, make_request=make, connections=args.concurrency, seconds=2)
                result = stack.run_python_load(
                    port=services.port, make_request=make, connections=args.concurrency, seconds=args.seconds
                )
            result["alone"] = one_at_a_time(services.port, case, tokens)
            met = "yes" if result["p95"] < case["target"] and not result["errors"] else "NO"
            rows.append({**case, **result, "met": f"{met} (<{case['target']})", "load": stack.load_average()})
            print(f"  {case['case']}: p95 {result['p95']:.1f} ms", flush=True)
    print(
        stack.table(
            rows,
            [
                ("case", "case", ""),
                ("requests", "requests", ",d"),
                ("rate", "req/s", ",.0f"),
                ("p50", "p50 ms", ".1f"),
                ("p95", "p95 ms", ".1f"),
                ("p99", "p99 ms", ".1f"),
                ("errors", "errors", "d"),
                ("alone", "alone p50", ".1f"),
                ("met", "p95 target", ""),
                ("load", "load avg", ""),
            ],
        )
    )


if __name__ == "__main__":
    main()
