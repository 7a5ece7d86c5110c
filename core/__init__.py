"""Shared plumbing every app may use: business-rule errors and their API answers, pagination, the broker and
cache circuit breakers, middleware, schema hooks, throttles, roles, phone numbers, geography helpers, uploads.

``core`` imports no app of the project (import-linter checks it): what two apps need goes here.
"""
