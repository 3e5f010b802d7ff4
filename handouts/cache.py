"""The user's cache folder: what is worth keeping between runs and safe to lose.

Only what is made from templates and the muscle library is kept here (compiled
templates, technique drawings as read, syllable counts), never anything from a
patient's details.
``HANDOUTS_CACHE=off`` turns every cache off; a folder that cannot be written
only costs the time the cache would have saved.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_folder(name: str) -> Path | None:
    """``~/.cache/handouts/<name>`` (or under ``$XDG_CACHE_HOME``), made if need be;
    None when caches are off or the folder cannot be made."""
    if os.environ.get("HANDOUTS_CACHE", "").lower() in ("off", "0", "no"):
        return None
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(root) / "handouts" / name
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return folder
