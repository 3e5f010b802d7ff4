"""Writing a file whole or not at all.

The bytes go to a new file beside the target, which is then renamed over
it: an interrupted write, a full disk or a crash leaves the old file (or
none), never half of a new one. The new file gets the usual permissions for
the user's umask (0644 for most), like any file a program creates.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from handouts.errors import RenderError, os_reason


def write_atomic(target: Path, data: bytes, *, what: str = "the file") -> Path:
    """Write ``data`` to ``target``; a RenderError that says why when it cannot."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"cannot create the output folder: {os_reason(exc)}",
                          file=target.parent) from None
    tmp = target.parent / f".{target.stem}.{secrets.token_hex(4)}.tmp"
    try:
        # O_EXCL: never write into a file someone else made; 0o666 less the umask.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:  # a read-only folder, or a disk with no room for one more file
        raise RenderError(f"cannot write {what}: {os_reason(exc)}", file=target) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        raise RenderError(f"cannot write {what}: {os_reason(exc)}", file=target) from None
    except BaseException:
        _remove(tmp)
        raise
    return target


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
