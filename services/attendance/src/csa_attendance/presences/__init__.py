"""Presences, meals and reservations declared by provider systems: ingest, corrections, reads."""
