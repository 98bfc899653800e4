"""Fixtures every test can use: the real broker and throwaway PostgreSQL databases."""

pytest_plugins = ["csa_shared.testing.pytest_plugin"]
