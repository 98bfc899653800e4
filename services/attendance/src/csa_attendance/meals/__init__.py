"""Meal records declared by provider systems: corrections and reads (their ingest is the
batch's, `presences`)."""
