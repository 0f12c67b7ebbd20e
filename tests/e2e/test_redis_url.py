"""Redis URLs read as the Node clients read them: an encoded password reaches a real
password-protected ``redis-server`` (requirepass, and an ACL user) from Node and from us alike."""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis.asyncio as redis

from entrypoints.container import build_container, resolve, start_resources, stop_resources
from tests.support.processes import node
from tests.support.redis_server import RedisServer, running_redis
from tests.support.settings import settings_from

REQUIREPASS = "Az/urE+key=="  # the characters of an Azure access key an operator must encode
ACL_USER = "dsi-jobs"
ACL_PASSWORD = "Jo/bs+pass=word"


@pytest.fixture(scope="module")
def protected_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    args = ["--requirepass", REQUIREPASS,
            "--user", ACL_USER, "on", f">{ACL_PASSWORD}", "~*", "&*", "+@all"]  # fmt: skip
    with running_redis(tmp_path_factory.mktemp("redis"), args) as server:
        yield server


def encoded(server: RedisServer, username: str, password: str) -> str:
    return f"redis://{quote(username, safe='')}:{quote(password, safe='')}@127.0.0.1:{server.port}"


@pytest.mark.parametrize(
    ("username", "password"),
    [("", REQUIREPASS), (ACL_USER, ACL_PASSWORD)],
    ids=["requirepass", "acl"],
)
async def test_a_job_node_enqueued_through_the_encoded_url_is_seen_through_it(
    protected_redis: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
    username: str,
    password: str,
    tmp_path: Path,
) -> None:
    url = encoded(protected_redis, username, password)
    assert all(escape in url for escape in ("%2F", "%2B", "%3D"))
    (job_id,) = node("produce.mjs", f"{url}/4", "test", '[{"hello": "world"}]')

    settings = settings_from(monkeypatch, {"LOCAL_REDIS_CONN": url, "JOBS_DATA_DIR": str(tmp_path)})
    container = build_container(settings)
    await start_resources(container)
    try:
        inspector = await resolve(container.adapters.queue_inspector)
        record = await inspector.job("test", job_id)
        assert record is not None
        assert record.state == "waiting"
    finally:
        await stop_resources(container)


async def test_the_password_as_written_in_the_url_is_refused(protected_redis: RedisServer) -> None:
    """What this worker sent before: the escapes undecoded. The server must tell them apart."""
    client = redis.Redis(port=protected_redis.port, password=quote(REQUIREPASS, safe=""))
    with pytest.raises(redis.AuthenticationError):
        await client.ping()
    await client.aclose()
