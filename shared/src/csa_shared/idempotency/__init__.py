"""``Idempotency-Key`` on POST requests (IETF draft-ietf-httpapi-idempotency-key-header)."""
