"""Personal data of a child and its household: export (GDPR art. 15) and erasure (art. 17)."""
