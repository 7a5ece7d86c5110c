"""Benchmark-only URLs: the product's URLs plus ``POST /bench/bare/``, the framework's ceiling on this machine,
and ``POST /bench/floor/``, the least a durable report can cost.

The bare view runs behind the same middleware and the same gunicorn as the product: it parses a JSON body and
answers a small JSON object, touching no database. The floor view does the same and, before answering, commits
the body as one row of ``bench_floor`` (a table with a primary key and nothing else): one INSERT, one COMMIT
with ``synchronous_commit`` on — what any intake must do before its 201, with no validation, no look-up, no
audit entry, no outbox and no worker task. ``bench/intake.py --floor`` creates the table and empties it.
"""

import json

from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as product_urlpatterns


@csrf_exempt
def bare(request):
    body = json.loads(request.body or b"{}")
    return JsonResponse({"ok": True, "keys": len(body)}, status=201)


FLOOR_TABLE = "bench_floor"
FLOOR_DDL = (
    f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} "
    "(id bigserial PRIMARY KEY, body jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
)


@csrf_exempt
def floor(request):
    body = json.loads(request.body or b"{}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FLOOR_TABLE} (body) VALUES (%s) RETURNING id", [json.dumps(body)])
        (pk,) = cursor.fetchone()
    return JsonResponse({"id": pk}, status=201)


urlpatterns = [path("bench/bare/", bare), path("bench/floor/", floor), *product_urlpatterns]
