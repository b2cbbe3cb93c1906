"""The metadata service's per-process cache of identified servers.

Identifying a server costs a database query; a guest reads a dozen paths in
a row, so the InstanceMetadata found for a key (``metadata-<ip>``,
``metadata-<uuid>``, ``provider-<id>-<ip>``) is kept for ``[api]
metadata_cache_expiration`` seconds. Nothing is kept when that is 0. A
change to the server shows once its entries expire (nova's behaviour), except
a password the guest posts through this process, which drops them at once.

Reads take no lock (a dict lookup is atomic); writes do, and purge expired
entries when the cache grows past ``max_entries``.
"""

import threading
import time

MAX_ENTRIES = 10000


class MetadataCache:

    def __init__(self, expiration, clock=time.monotonic,
                 max_entries=MAX_ENTRIES):
        self.expiration = expiration
        self.clock = clock
        self.max_entries = max_entries
        self._entries = {}
        self._lock = threading.Lock()

    def get(self, key):
        """The value kept for ``key``, or None if absent or expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if self.clock() >= expires:
            self._entries.pop(key, None)
            return None
        return value

    def set(self, key, value):
        if not self.expiration:
            return
        now = self.clock()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._purge(now)
            self._entries[key] = (now + self.expiration, value)

    def discard(self, instance_uuid):
        """Forget every entry that holds the server ``instance_uuid``."""
        with self._lock:
            for key, (_, value) in list(self._entries.items()):
                if value.uuid == instance_uuid:
                    del self._entries[key]

    def _purge(self, now):
        for key, (expires, _) in list(self._entries.items()):
            if now >= expires:
                del self._entries[key]
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
