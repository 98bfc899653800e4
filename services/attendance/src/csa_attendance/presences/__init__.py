"""Declarations of provider systems: the batch ingest of presences, meals and reservations;
corrections and reads of presences, reads of reservations (meal corrections: `meals`)."""
