"""Principals other than parents: provider systems (client credentials) and agents (TOTP)."""
