"""Django's Redis cache, keeping one client object per connection pool.

Django builds a new `redis.Redis` for every cache call; building one copies redis-py's table of
response callbacks, about 0.2 ms — several times per page. The client is thread-safe and its pool
already holds the connections (and reopens them after a fork), so one client per pool is enough.
`get_many_piped` sends other commands in the round trip of a get_many (a hot page's counters).
"""

from collections.abc import Callable

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.client import Pipeline


class _ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options) -> None:
        super().__init__(servers, **options)
        self._clients: dict = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client


class AgoraRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _ReusedClientRedisCacheClient

    def get_many_piped(self, keys: list[str], also: Callable[[Pipeline], None]) -> dict:
        """get_many(), with the commands `also(pipeline)` queues sent in the same round trip."""
        made = {self.make_and_validate_key(key): key for key in keys}
        pipeline = self._cache.get_client(write=True).pipeline(transaction=False)
        also(pipeline)
        pipeline.mget(list(made))
        values = pipeline.execute()[-1]
        loads = self._cache._serializer.loads
        return {made[key]: loads(value) for key, value in zip(made, values, strict=True) if value is not None}
