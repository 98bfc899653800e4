"""HTTP plumbing every service shares: problem details, health, metrics, request ids."""
