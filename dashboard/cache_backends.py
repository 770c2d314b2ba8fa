"""The shared cache when Redis is used (``CACHE_TYPE=RedisCache``), tolerant of Redis failing.

Every cached value can be rebuilt from the store, so an unreachable Redis must cost speed, not
service: a read that fails is a miss, a write that fails is skipped, and the failure is logged
(at most once a minute per process). Connections time out after half a second instead of hanging
a worker.
"""

from __future__ import annotations

import logging
import time

from flask_caching.backends.rediscache import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

TIMEOUTS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
QUIET_SECONDS = 60.0


class TolerantRedisCache(RedisCache):
    _last_warning = 0.0

    def _failed(self, action: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - TolerantRedisCache._last_warning > QUIET_SECONDS:
            TolerantRedisCache._last_warning = now
            log.warning("Redis cache %s failed (%s); serving from the store", action, exc)

    def get(self, key):
        try:
            return super().get(key)
        except RedisError as exc:
            self._failed("read", exc)
            return None

    def set(self, key, value, timeout=None):
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
