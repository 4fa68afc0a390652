"""Release names compared as versions: plain Python, no ORM or HTTP."""

from __future__ import annotations

import re

# "1.31.2", "v1.20.0", "enterprise-2.20.0", "1.31.3-asm.9": the first dotted number counts.
VERSION = re.compile(r"(?<![\d.])(\d+(?:\.\d+)+)")
# Releases nobody should be told to verify against: previews, candidates, edge and nightly builds.
PRERELEASE = re.compile(
    r"(?i)(?:\b|\d|[-_.])(rc|alpha|beta|pre|preview|edge|nightly|snapshot|dev)\b"
)


def version_key(text: str) -> tuple[int, ...] | None:
    """The first dotted version number in `text` as a comparable tuple, or None if it has none."""
    match = VERSION.search(text or "")
    if not match:
        return None
    parts = [int(part) for part in match.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()  # 1.20 and 1.20.0 are the same release
    return tuple(parts)


def is_prerelease(text: str) -> bool:
    return bool(PRERELEASE.search(text or ""))


def is_newer(candidate: str, current: str) -> bool:
    """Whether release `candidate` is newer than the `current` version (False if either has no
    version number to compare)."""
    new, old = version_key(candidate), version_key(current)
    return new is not None and old is not None and new > old
