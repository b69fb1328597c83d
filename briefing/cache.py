"""A small content-addressed cache that never trusts what it did not write.

Not a stage: the reading, bibliography and citation stages keep pandoc's answers here, keyed by
a hash of everything that shaped them, so a rebuild re-runs pandoc only for what changed (a
one-section edit re-reads one section). The cache lives in the user's cache folder
(``$BRIEFING_CACHE_DIR``, else ``$XDG_CACHE_HOME/briefing``, else ``~/.cache/briefing``), never
in a report folder or the current directory, which a partner's files may control. Each entry
carries an HMAC made with a random key that only this user can read (mode 0600), so a planted,
copied or truncated file is a miss and is rebuilt, never used. Writes go to a unique temporary
file that is renamed into place, so parallel builds never see half an entry; a temporary file
left by a killed build is removed after an hour. ``--force`` reads nothing from it
(:func:`refreshing`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

_KEY_FILE = "key"
_TAG_BYTES = 64  # hex SHA-256
_STALE_SECONDS = 3600


def cache_root() -> Path:
    """The user's briefing cache folder (not created here)."""
    explicit = os.environ.get("BRIEFING_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "briefing"


@cache
def _secret(root: Path) -> bytes | None:
    """This user's cache key, made on first use; None if the folder is not usable."""
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = root / _KEY_FILE
        if not path.exists():
            fd, tmp = tempfile.mkstemp(dir=root, prefix=".key.")
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_bytes(32))
            os.replace(tmp, path)
        stat = path.lstat()
        if not path.is_file() or path.is_symlink() or stat.st_uid != os.getuid() \
                or stat.st_mode & 0o077:
            return None  # a key others could read or plant would make the HMAC worthless
        _remove_stale(root)
        return path.read_bytes()
    except OSError:
        return None


def _remove_stale(root: Path) -> None:
    """Temporary files a killed build left (once a process; older than any write takes)."""
    limit = time.time() - _STALE_SECONDS
    for tmp in [*root.glob(".key.*"), *root.glob("*/.tmp.*")]:
        try:
            if tmp.lstat().st_mtime < limit:
                tmp.unlink()
        except OSError:
            pass


def digest(*parts: str | bytes) -> str:
    """A key for the cache: SHA-256 over the parts, each one delimited."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


#: while set (``--force``), every lookup misses: everything is made again and stored anew
_refreshing = False


@contextmanager
def refreshing(on: bool = True) -> Iterator[None]:
    """Within this block :func:`get` answers nothing, so a build recomputes every entry
    (``--force`` means rebuild everything, not only the PDF)."""
    global _refreshing
    before, _refreshing = _refreshing, on or _refreshing
    try:
        yield
    finally:
        _refreshing = before


def get(namespace: str, key: str) -> Any | None:
    """The JSON value stored under ``key``, or None (missing, damaged or not ours)."""
    if _refreshing:
        return None
    root = cache_root()
    secret = _secret(root)
    if secret is None:
        return None
    path = root / namespace / key
    try:
        if path.is_symlink() or not path.is_file():
            return None
        raw = path.read_bytes()
    except OSError:
        return None
    tag, payload = raw[:_TAG_BYTES], raw[_TAG_BYTES:]
    expected = hmac.new(secret, key.encode() + payload, hashlib.sha256).hexdigest().encode()
    if not hmac.compare_digest(tag, expected):
        path.unlink(missing_ok=True)
        return None
    try:
        return json.loads(payload)
    except ValueError:
        return None


def put(namespace: str, key: str, value: Any) -> None:
    """Store ``value`` (JSON) under ``key``; a cache that cannot be written is skipped."""
    root = cache_root()
    secret = _secret(root)
    if secret is None:
        return
    payload = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    tag = hmac.new(secret, key.encode() + payload, hashlib.sha256).hexdigest().encode()
    folder = root / namespace
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp.")
        with os.fdopen(fd, "wb") as out:
            out.write(tag + payload)
        os.replace(tmp, folder / key)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
