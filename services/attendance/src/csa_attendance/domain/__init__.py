"""Pure attendance domain (csa-rules.md §10): providers, education contracts, presences,
meals, reservations, corrections, other charges and AP service sheets.

No I/O, no clock reads, no framework imports: every function takes the state it needs and
returns decisions, new record versions and domain events for the adapters to persist and
publish.
"""
