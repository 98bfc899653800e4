"""The contracts module: filing, signature, amendments, renewal, expiry, reads, document."""
