"""csa_membership."""
