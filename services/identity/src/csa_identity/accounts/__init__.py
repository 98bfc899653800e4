"""Parent accounts: registration and login here; ``sessions/`` (refresh, logout) and
``activation/`` (activation code by post) are modules of the same shape."""
