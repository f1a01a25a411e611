"""The shared cache's backends: Django's own, each with the one change a shared cache needs here.

Rate-limit counters, the data version, cached pages and cached statistics live in one cache that
every server process and every host shares (settings.CACHES): the database by default, so the
embedded set-up needs no other service, or Redis when ``REDIS_URL`` is set.

- ``DatabaseCache``: Django's, with an ``incr`` that is atomic across processes (Django's reads
  the value and writes it back, so two workers counting the same request window lose counts).
- ``RedisCache``: Django's, whose ``clear()`` removes only this site's keys (its ``KEY_PREFIX``)
  instead of flushing the whole Redis database another application may share (the database
  cache's ``clear()`` likewise).
- Lazy translations (the labels in cached figures, translated when shown) unpickle without
  building a class each time (``_unpickle_lazy``).
- ``SignedSerializer``: what the Redis cache stores. Redis usually answers any local user without
  a password, and Django's serializer unpickles whatever it finds, so anyone who can reach Redis
  could plant a pickle that runs code in the web server. Here every stored value carries an HMAC
  made with ``SECRET_KEY`` and nothing is unpickled before its HMAC is checked.
"""

from __future__ import annotations

import base64
import functools
import hmac
import pickle

from django.core.cache.backends import db, redis
from django.db import connections, router, transaction
from django.utils import functional
from django.utils.crypto import salted_hmac


@functools.cache
def _lazy(func, resultclasses: tuple):
    return functional.lazy(func, *resultclasses)


def _unpickle_lazy(func, args, kwargs, *resultclasses):
    """Django's ``_lazy_proxy_unpickle``, with the lazy wrapper made once per function: Django's
    makes a new class for every lazy string unpickled. The statistics figures carry a few dozen
    translatable labels, so each read of them from the cache made classes, garbage the collector
    then spent 20-40 ms on in a full collection (the p95 of the cached statistics page and API)."""
    return _lazy(func, resultclasses)(*args, **kwargs)


# Lazy strings name the unpickling function when pickled: older entries name Django's, newer ours.
functional._lazy_proxy_unpickle = _unpickle_lazy

SIGNED = b"tracker-signed:1:"
MAC_LENGTH = 32  # HMAC-SHA256


class BadSignature(ValueError):
    """A cached value that this site did not write (or wrote under another SECRET_KEY)."""


class SignedSerializer:
    """Pickles signed with the site's secret key; integers stay plain so Redis can count them."""

    def __init__(self, protocol: int | None = None):
        self.protocol = pickle.HIGHEST_PROTOCOL if protocol is None else protocol

    @staticmethod
    def _mac(data: bytes) -> bytes:
        return salted_hmac("tracker.cache.SignedSerializer", data, algorithm="sha256").digest()

    def dumps(self, obj) -> bytes | int:
        if type(obj) is int:  # as Django's RedisSerializer: INCR works on plain integers only
            return obj
        data = pickle.dumps(obj, self.protocol)
        return SIGNED + self._mac(data) + data

    def loads(self, data: bytes):
        if not data.startswith(SIGNED):
            try:
                return int(data)
            except ValueError:
                raise BadSignature("unsigned value in the cache") from None
        mac, payload = data[len(SIGNED) : len(SIGNED) + MAC_LENGTH], data[len(SIGNED) + MAC_LENGTH :]
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise BadSignature("cached value with a bad signature")
        return pickle.loads(payload)  # noqa: S301  (signed by this site, checked just above)


# INCRBY only if the key exists, in one round trip and one step (Django checks EXISTS, then INCRs:
# two round trips, and a key expiring in between comes back as a counter that never expires).
INCR_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end
return false
"""


class RedisCache(redis.RedisCache):
    """Django's Redis cache whose ``clear()`` deletes only keys under this site's KEY_PREFIX, and whose
    ``incr`` (every rate-limited request) is one round trip."""

    def incr(self, key, delta=1, version=None):
        full_key = self.make_and_validate_key(key, version=version)
        client = self._cache.get_client(full_key, write=True)
        value = client.eval(INCR_IF_EXISTS, 1, full_key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except BadSignature:
            return default  # treated as absent: the next set() overwrites it

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except BadSignature:
            return {}

    def clear(self) -> bool:
        if not self.key_prefix:
            return super().clear()
        client = self._cache.get_client(None, write=True)
        for keys in _batched(client.scan_iter(match=f"{self.key_prefix}:*", count=1000), 500):
            client.delete(*keys)
        return True


def _batched(iterable, size: int):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class DatabaseCache(db.DatabaseCache):
    """Django's database cache with an ``incr`` that counts exactly when many processes count at once,
    and a ``clear()`` that, like the Redis cache's, removes only this site's keys (its KEY_PREFIX)."""

    def clear(self) -> None:
        if not self.key_prefix:
            return super().clear()
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        quote = connection.ops.quote_name
        pattern = self.key_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ":%"
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {quote(self._table)} WHERE {quote('cache_key')} LIKE %s ESCAPE '\\'",  # noqa: S608
                [pattern],
            )

    def incr(self, key, delta=1, version=None):
        """Add `delta` to a stored integer, holding the row's write lock from before the read to the write.

        The first statement writes the row (changing nothing), which takes the row lock on
        PostgreSQL and the database's write lock on SQLite before the value is read, so a second
        counter waits instead of reading the same value. The expiry is kept as it was.
        """
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        quote = connection.ops.quote_name
        table, cache_key, value_column = quote(self._table), quote("cache_key"), quote("value")
        full_key = self.make_and_validate_key(key, version=version)
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {cache_key} = {cache_key} WHERE {cache_key} = %s", [full_key])  # noqa: S608
            if not cursor.rowcount:
                raise ValueError(f"Key '{key}' not found.")
            current = self.get(key, self._missing_key, version=version)
            if current is self._missing_key:  # expired: get() removed it
                raise ValueError(f"Key '{key}' not found.")
            new_value = current + delta
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET {value_column} = %s WHERE {cache_key} = %s", [encoded, full_key])  # noqa: S608
        return new_value
