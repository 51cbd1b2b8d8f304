"""The Redis cache backend that shares one client per pool (common/redis_cache.py), on the real
Redis: it behaves as Django's, and builds no client per call. Skipped without Redis."""

import socket
import uuid

import pytest

from common.redis_cache import RedisCache

REDIS = ("127.0.0.1", 6379)


@pytest.fixture
def redis_cache():
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
    except OSError:
        pytest.skip(f"needs Redis at {REDIS[0]}:{REDIS[1]}")
    # Keys of this test's own (a random prefix), deleted after: nothing else in Redis is touched.
    cache = RedisCache(
        f"redis://{REDIS[0]}:{REDIS[1]}/0", {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    )
    yield cache
    cache.delete_many(["a", "b", "n"])


def test_it_behaves_as_djangos_redis_cache(redis_cache):
    assert redis_cache.get("a") is None
    redis_cache.set("a", {"rows": [1, 2]}, timeout=30)
    assert redis_cache.get("a") == {"rows": [1, 2]}
    assert redis_cache.add("b", 1, timeout=30) and not redis_cache.add("b", 2, timeout=30)
    assert redis_cache.get("b") == 1
    redis_cache.set("n", 1)
    assert redis_cache.incr("n") == 2
    assert redis_cache.delete("a") and redis_cache.get("a") is None


def test_one_client_serves_every_call(redis_cache):
    client = redis_cache._cache
    assert client.get_client("a") is client.get_client("b", write=True)
