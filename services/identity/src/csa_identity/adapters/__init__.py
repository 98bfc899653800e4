"""Adapters of the identity service: signing keys, SMS gateway, letters, audit log."""
