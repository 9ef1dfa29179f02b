"""Several Lua scripts as one, on a real Redis: each part sees its own KEYS and ARGV, a
part that fails does not stop the others, and a Redis that lost the script is given it."""

from __future__ import annotations

import pytest
import redis
from redis.exceptions import ResponseError

from tweetnow.shared.jobs import ScriptCall
from tweetnow.shared.script_chain import ScriptChains, chain_text

SET_AND_ECHO = "redis.call('SET', KEYS[1], ARGV[1]) return {KEYS[1], ARGV[1], #KEYS, #ARGV}"
FAIL = "redis.call('INCR', KEYS[1]) return 1"  # INCR of a string that is not a number
NOTHING = "redis.call('SET', KEYS[1], 'x')"


def test_each_part_gets_its_own_keys_and_arguments_in_order(redis_client: redis.Redis) -> None:
    chains = ScriptChains(redis_client)
    echo = redis_client.register_script(SET_AND_ECHO)
    answers = chains.run(
        [
            ScriptCall(echo, ["a"], ["1"]),
            ScriptCall(echo, ["b"], ["two", "extra"]),
            ScriptCall(echo, [], []),
        ]
    )
    assert answers[0].result == [b"a", b"1", 1, 1]
    assert answers[1].result == [b"b", b"two", 1, 2]
    assert answers[2].error is not None  # SET with no key: its own error, nobody else's
    assert redis_client.mget("a", "b") == [b"1", b"two"]


def test_a_failing_part_is_reported_and_the_parts_after_it_still_run(
    redis_client: redis.Redis,
) -> None:
    chains = ScriptChains(redis_client)
    redis_client.set("word", "not a number")
    fail = redis_client.register_script(FAIL)
    nothing = redis_client.register_script(NOTHING)
    first, second = chains.run([ScriptCall(fail, ["word"], []), ScriptCall(nothing, ["after"], [])])
    assert first.error is not None and "not an integer" in first.error
    with pytest.raises(ResponseError, match="not an integer"):
        first.unwrap()
    assert second.error is None and second.result is None
    assert second.unwrap() is None
    assert redis_client.get("after") == b"x"


def test_a_redis_that_lost_its_scripts_is_given_the_chain_again(
    redis_client: redis.Redis,
) -> None:
    chains = ScriptChains(redis_client)
    echo = redis_client.register_script(SET_AND_ECHO)
    calls = [ScriptCall(echo, ["k"], ["v1"])]
    assert chains.run(calls)[0].result == [b"k", b"v1", 1, 1]
    redis_client.script_flush()
    calls = [ScriptCall(echo, ["k"], ["v2"])]
    assert chains.run(calls)[0].result == [b"k", b"v2", 1, 1]
    assert redis_client.get("k") == b"v2"


def test_the_same_parts_share_one_script() -> None:
    client = redis.Redis()  # never connects: registering a script only hashes its text
    chains = ScriptChains(client)
    a, b = client.register_script(SET_AND_ECHO), client.register_script(NOTHING)
    one = chains.call([ScriptCall(a, ["x"], [1]), ScriptCall(b, ["y"], [])])
    two = chains.call([ScriptCall(a, ["p"], [2]), ScriptCall(b, ["q"], [])])
    other = chains.call([ScriptCall(b, ["y"], []), ScriptCall(a, ["x"], [1])])
    assert one.script is two.script and one.script is not other.script
    # Key counts, then argument counts, then the arguments, in the parts' order.
    assert one.keys == ["x", "y"] and one.args == [1, 1, 1, 0, 1]
    assert SET_AND_ECHO in chain_text([a, b]) and NOTHING in chain_text([a, b])
