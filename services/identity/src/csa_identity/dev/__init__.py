"""Development-only endpoints (embedded mode): read the SMS sink and the letter spool."""
