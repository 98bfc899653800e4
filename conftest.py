"""Fixtures every test can use: the real broker and throwaway PostgreSQL databases.

Hypothesis explores new examples on every developer run; CI (``CI=true``) replays a fixed
derandomized sample, so a red build is reproducible with the same command.
"""

import os

from hypothesis import settings

pytest_plugins = ["csa_shared.testing.pytest_plugin"]

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")
