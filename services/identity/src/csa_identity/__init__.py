"""csa_identity."""
