"""The shared cache when Redis is used (``CACHE_TYPE=RedisCache``), tolerant of Redis failing.

Every cached value can be rebuilt from the store, so an unreachable Redis must cost speed, not
service: a read that fails is a miss, a write that fails is skipped, and the failure is logged
(at most once a minute per process). Connections time out after half a second instead of hanging
a worker, and after a failure the process leaves Redis alone for half a minute.
"""

from __future__ import annotations

import logging
import time

from flask_caching.backends.rediscache import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

TIMEOUTS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
QUIET_SECONDS = 60.0
PAUSE_SECONDS = 30.0


class TolerantRedisCache(RedisCache):
    """After a failure Redis is left alone for ``PAUSE_SECONDS`` (a Redis that accepts connections
    but does not answer would otherwise cost every cache call its timeout)."""

    _down_until = 0.0
    _last_warning = 0.0

    def _available(self) -> bool:
        return time.monotonic() >= TolerantRedisCache._down_until

    def _failed(self, action: str, exc: Exception) -> None:
        now = time.monotonic()
        TolerantRedisCache._down_until = now + PAUSE_SECONDS
        if now - TolerantRedisCache._last_warning > QUIET_SECONDS:
            TolerantRedisCache._last_warning = now
            log.warning("Redis cache %s failed (%s); serving from the store for %.0f s", action, exc, PAUSE_SECONDS)

    def get(self, key):
        if not self._available():
            return None
        try:
            return super().get(key)
        except RedisError as exc:
            self._failed("read", exc)
            return None
        except Exception:  # an entry this code cannot read (e.g. pickled by other code): a miss
            log.warning("Redis cache entry %s could not be read; treated as a miss", key, exc_info=True)
            return None

    def set(self, key, value, timeout=None):
        if not self._available():
            return False
        try:
            return super().set(key, value, timeout)
        except RedisError as exc:
            self._failed("write", exc)
            return False

    def clear(self):
        try:
            return super().clear()
        except RedisError as exc:
            self._failed("clear", exc)
            return False
