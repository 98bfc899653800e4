"""Meal records declared by provider systems: one meal (`POST /meals`, through the batch's
ingest, `presences.service.ingest`), corrections and reads."""
