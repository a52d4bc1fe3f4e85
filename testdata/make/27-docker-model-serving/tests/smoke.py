"""Smoke test against a running api container."""
