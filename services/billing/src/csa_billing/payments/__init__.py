"""Payments: the state's SEPA credit transfers to the providers for a closed period
(pain.001 file and accounting CSV), and each transfer's status from the bank (pain.002)."""
