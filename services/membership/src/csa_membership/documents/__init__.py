"""Rendering of membership documents (adapters over the pure domain)."""
