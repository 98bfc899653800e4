"""Transactional outbox (publish what a transaction committed) and inbox (act once per event)."""
