"""Random identifiers in bulk."""

from __future__ import annotations

import os


def uuid4_strings(n: int) -> list[str]:
    """`n` random (version 4) UUIDs as `str(uuid.uuid4())` spells them, from one read of
    the OS's randomness instead of one per id (ids of a batch, a chunk, their events)."""
    h = os.urandom(16 * n).hex()
    return [
        f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-4{h[i + 13 : i + 16]}-"
        f"{_VARIANT[h[i + 16]]}{h[i + 17 : i + 20]}-{h[i + 20 : i + 32]}"
        for i in range(0, 32 * n, 32)
    ]


# RFC 4122: version nibble 4, variant bits 10xx (the first hex digit of the fourth group).
_VARIANT = {f"{d:x}": f"{8 | d & 3:x}" for d in range(16)}
