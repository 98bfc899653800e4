"""Personal data of a child in billing: export (GDPR art. 15), erasure (art. 17)."""
