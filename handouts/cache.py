"""The user's cache folder: what is worth keeping between runs and safe to lose.

Only what is made from templates and the muscle library is kept here (compiled
templates, the library as loaded, technique drawings as read, syllable
counts), never anything from a patient's details.
``HANDOUTS_CACHE=off`` turns every cache off; a folder that cannot be written
only costs the time the cache would have saved.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any


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


def code_stamp(*packages: str) -> bytes:
    """The Python version and each installed package's files (name, size, date),
    read without importing them: what was kept by other code is not used."""
    import importlib.util

    parts = [sys.version]
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin:
            parts.append(f"{name}:-")
            continue
        root = os.path.dirname(spec.origin)
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            for file_name in sorted(names):
                if file_name.endswith((".py", ".so", ".pyd")):
                    path = os.path.join(folder, file_name)
                    st = os.stat(path)
                    parts.append(f"{os.path.relpath(path, root)}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts).encode()


def read_kept(path: Path | None, key: bytes, kind: type) -> Any | None:
    """What :func:`keep` wrote to ``path`` for this ``key``, if it is a ``kind``.

    A pickle is only ever read from the user's own cache folder, made private.
    """
    if path is None:
        return None
    try:
        kept_key, value = pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - none kept yet, or not whole, or from another version
        return None
    return value if kept_key == key and isinstance(value, kind) else None


def keep(path: Path | None, key: bytes, value: Any, *, what: str, most: int = 0) -> None:
    """Keep ``value`` for ``key`` in ``path``, whole or not at all. ``most``: keep
    at most that many files in the folder, the ones written last."""
    if path is None:
        return
    from handouts.atomic import write_atomic
    from handouts.errors import RenderError

    with contextlib.suppress(RenderError):
        write_atomic(path, pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL),
                     what=what)
    if most:
        with contextlib.suppress(OSError):
            files = sorted(path.parent.glob(f"*{path.suffix}"),
                           key=lambda f: f.stat().st_mtime_ns, reverse=True)
            for old in files[most:]:
                old.unlink(missing_ok=True)
