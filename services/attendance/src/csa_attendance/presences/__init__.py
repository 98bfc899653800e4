"""Presences declared by providers."""
