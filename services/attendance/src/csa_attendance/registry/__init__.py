"""Provider registry and education contracts (agents, the Dageselteren agency)."""
