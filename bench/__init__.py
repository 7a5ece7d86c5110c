"""Benchmarks and the scale seeder (never part of the product; figures in RESULTS.md)."""
