"""Personal data of a child's family in identity: export (GDPR art. 15), erasure (art. 17)."""
