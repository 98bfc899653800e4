"""csa_shared."""
