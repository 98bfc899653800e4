"""Logging, request ids and Prometheus metrics shared by every service."""
