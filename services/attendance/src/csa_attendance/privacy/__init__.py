"""Personal data of a child in attendance: export (GDPR art. 15)."""
