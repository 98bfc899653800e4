"""The CSA simulator: one child-week computed from a JSON request (interfaces.md §2)."""
