"""Django's file cache, shared safely by several processes on one machine.

`make run` has no Redis: its web server counts campaign page views in the cache and its
Celery worker flushes them to the database, so both must see one cache (files under
var/cache). Django's FileBasedCache writes each entry atomically (a rename), but its
``add`` (exists? then write) and ``incr`` (read, then write) are two steps, and two
requests counting at once would lose a view. Here both take one exclusive lock file first,
across processes and threads alike, as Redis's ``SET NX`` and ``INCR`` are atomic.
"""

import os
import pickle
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks


class SharedFileCache(FileBasedCache):
    """A FileBasedCache whose ``add`` and ``incr`` are atomic across processes."""

    # Not a cache entry (no ".djcache"), so clearing or culling the cache never removes it.
    lock_name = "cache.lock"

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        self._createdir()
        # A lock per open file, not per process: threads of one server exclude each other too.
        with open(os.path.join(self._dir, self.lock_name), "ab") as lock_file:
            locks.lock(lock_file, locks.LOCK_EX)
            try:
                yield
            finally:
                locks.unlock(lock_file)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        with self._exclusive():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None) -> int:
        """Add ``delta`` keeping the entry's expiry (Django's incr would reset it to the
        default five minutes, and a day's counter would start over)."""
        with self._exclusive():
            try:
                with open(self._key_to_file(key, version), "rb") as entry:
                    expiry = pickle.load(entry)  # noqa: S301  our own files, as Django reads them
                    value = pickle.loads(zlib.decompress(entry.read()))  # noqa: S301
            except (FileNotFoundError, EOFError):
                expiry, value = 0, None
            remaining = None if expiry is None else expiry - time.time()
            if value is None or (remaining is not None and remaining <= 0):
                raise ValueError(f"Key '{key}' not found")
            value += delta
            self.set(key, value, remaining, version)
            return value
