"""Metrics, request logs and tracing: what an operator sees of a running service."""
