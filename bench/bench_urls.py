"""Benchmark-only URLs: the product's URLs plus ``POST /bench/bare/``, the framework's ceiling on this machine.

The bare view runs behind the same middleware and the same gunicorn as the product: it parses a JSON body and
answers a small JSON object, touching no database.
"""

import json

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as product_urlpatterns


@csrf_exempt
def bare(request):
    body = json.loads(request.body or b"{}")
    return JsonResponse({"ok": True, "keys": len(body)}, status=201)


urlpatterns = [path("bench/bare/", bare), *product_urlpatterns]
