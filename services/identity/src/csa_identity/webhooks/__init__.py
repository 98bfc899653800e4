"""Webhooks for partners' apps: subscriptions per OAuth client, signed deliveries from an
outbox with back-off, and the delivery log (issue 22)."""
