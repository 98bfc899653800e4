"""Parent accounts: registration, login, sessions."""
