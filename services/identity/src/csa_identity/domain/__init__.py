"""Pure identity rules (csa-rules.md §9, seed 000): myCard codes, passwords, OTP, lockout,
parent account flows, other principals and access tokens. No I/O, no clock reads.

Instants are timezone-aware UTC ``datetime`` values passed in as ``now`` (OTP windows, lockouts
and token ``exp`` must not jump at daylight-saving changes); calendar days are ``date``.
"""
