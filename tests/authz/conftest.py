"""The authorization matrix runs each service in-process on its own PostgreSQL database."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
