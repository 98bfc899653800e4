"""csa_attendance."""
