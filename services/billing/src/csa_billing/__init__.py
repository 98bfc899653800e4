"""csa_billing."""
