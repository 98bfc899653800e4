"""HTTP plumbing every service shares: problem details, health, metrics, request ids, body
limits and JSON depth (`limits`), the bounded types of API input (`bounds`)."""
