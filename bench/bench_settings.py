"""Benchmark-only settings: the product's settings plus a bare JSON view (``bench_urls``). Never used in production."""

from config.settings import *  # noqa: F401, F403

ROOT_URLCONF = "bench_urls"
