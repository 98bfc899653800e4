"""Billing's read models of other services' events."""
