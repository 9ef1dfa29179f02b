"""Several Lua scripts as one, on a real Redis: each part sees its own KEYS and ARGV, a
part that fails does not stop the others, and a Redis that lost the script is given it."""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable, Sequence

import pytest
import redis
from dramatiq.middleware.time_limit import TimeLimitExceeded
from redis.commands.core import Script
from redis.exceptions import ResponseError

from tweetnow.shared.jobs import ScriptCall
from tweetnow.shared.script_chain import ChainGroup, PartAnswer, ScriptChains, chain_text

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


def test_the_same_parts_in_any_order_share_one_script() -> None:
    client = redis.Redis()  # never connects: registering a script only hashes its text
    chains = ScriptChains(client)
    a, b = client.register_script(SET_AND_ECHO), client.register_script(NOTHING)
    one = chains.call([ScriptCall(a, ["x"], [1]), ScriptCall(b, ["y"], [])])
    two = chains.call([ScriptCall(b, ["q"], []), ScriptCall(a, ["p"], [2]), ScriptCall(a, [], [])])
    alone = chains.call([ScriptCall(a, ["x"], [1])])
    assert one.script is two.script and one.script is not alone.script
    # Each part once, whatever the order: sorted by its hash.
    at_a = 1 if a.sha < b.sha else 2
    # The number of calls; each call's part, key count and argument count; the arguments.
    assert one.keys == ["x", "y"] and one.args == [2, at_a, 3 - at_a, 1, 1, 1, 0, 1]
    assert two.args == [3, 3 - at_a, at_a, at_a, 1, 1, 0, 0, 1, 0, 2]
    assert SET_AND_ECHO in chain_text([a, b]) and NOTHING in chain_text([a, b])


def test_one_part_called_several_times_in_a_chain(redis_client: redis.Redis) -> None:
    chains = ScriptChains(redis_client)
    echo = redis_client.register_script(SET_AND_ECHO)
    answers = chains.run([ScriptCall(echo, [f"k{i}"], [str(i)]) for i in range(5)])
    expected = [[f"k{i}".encode(), str(i).encode(), 1, 1] for i in range(5)]
    assert [a.result for a in answers] == expected


def test_threads_that_settle_together_share_round_trips_and_get_their_own_answers(
    redis_client: redis.Redis,
) -> None:
    """Sixteen threads send 50 chains each at once: every answer is the thread's own,
    every write lands, and chains that waited went out together (fewer EVALSHAs)."""
    group = ChainGroup(ScriptChains(redis_client))
    echo = redis_client.register_script(SET_AND_ECHO)
    nothing = redis_client.register_script(NOTHING)
    redis_client.config_resetstat()
    wrong: list[object] = []
    start = threading.Barrier(16)

    def settle(t: int) -> None:
        start.wait()
        for i in range(50):
            key = f"t{t}:{i}"
            calls = [ScriptCall(nothing, [key + ":x"], []), ScriptCall(echo, [key], [i])]
            answers = group.run(calls)
            if answers[1].result != [key.encode(), str(i).encode(), 1, 1] or answers[0].error:
                wrong.append(answers)

    threads = [threading.Thread(target=settle, args=(t,)) for t in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert len(redis_client.keys("t*")) == 16 * 50 * 2
    evalshas = redis_client.info("commandstats")["cmdstat_evalsha"]["calls"]
    assert evalshas < 16 * 50, evalshas


def test_a_failed_round_trip_fails_every_chain_it_carried_and_no_other(
    redis_client: redis.Redis,
) -> None:
    """While one chain is on its way three more wait; the round trip that carries those
    three fails: each of the three threads gets the error, the first its answer, and
    the next chain goes out as usual."""
    release = threading.Event()
    chains = _FirstTripWaits(redis_client, release, second_raises=redis.ConnectionError)
    group = ChainGroup(chains)
    echo = redis_client.register_script(SET_AND_ECHO)
    outcomes: dict[str, object] = {}

    def settle(name: str) -> None:
        try:
            outcomes[name] = group.run([ScriptCall(echo, [name], ["v"])])[0].result
        except redis.ConnectionError as e:
            outcomes[name] = e

    first = threading.Thread(target=settle, args=("first",))
    first.start()
    assert chains.first_trip_started.wait(5)
    waiting = [threading.Thread(target=settle, args=(f"w{i}",)) for i in range(3)]
    for thread in waiting:
        thread.start()
    _wait_for(lambda: len(group._waiting) == 3)
    release.set()
    for thread in [first, *waiting]:
        thread.join(5)
    assert outcomes["first"] == [b"first", b"v", 1, 1]
    assert all(isinstance(outcomes[f"w{i}"], redis.ConnectionError) for i in range(3)), outcomes
    assert chains.trips == 2  # the three went out together
    assert redis_client.exists("w0", "w1", "w2") == 0
    assert group.run([ScriptCall(echo, ["after"], ["v"])])[0].result == [b"after", b"v", 1, 1]


def test_an_interrupt_while_waiting_to_send_passes_the_turn_to_the_next_thread(
    redis_client: redis.Redis,
) -> None:
    """Dramatiq raises its time limit in a worker thread from another thread, and can do
    so just as the job ends, in its ack. Here it reaches the first of two waiting
    threads, the one that is to send the next group: that thread gets the interrupt and
    its chain is not sent, the other thread's chain goes out, and the group still works
    afterwards."""
    release = threading.Event()
    chains = _FirstTripWaits(redis_client, release)
    group = ChainGroup(chains)
    echo = redis_client.register_script(SET_AND_ECHO)
    outcomes: dict[str, object] = {}
    threads = _two_waiting_behind_a_held_trip(group, chains, echo, outcomes)
    time.sleep(0.05)  # b sleeps on its lock
    _interrupt(threads["b"], TimeLimitExceeded)
    _release_and_join(release, threads, outcomes)
    assert outcomes["a"] == [b"a", b"v", 1, 1]
    assert isinstance(outcomes["b"], TimeLimitExceeded)
    assert outcomes["c"] == [b"c", b"v", 1, 1]
    assert redis_client.exists("b") == 0
    assert chains.trips == 2
    assert group.run([ScriptCall(echo, ["after"], ["v"])])[0].result == [b"after", b"v", 1, 1]


def test_an_interrupt_of_the_sending_thread_reaches_the_others_as_a_lost_connection(
    redis_client: redis.Redis,
) -> None:
    """The thread sending a group is interrupted during the round trip: it gets its
    interrupt; the other thread in its group gets a connection error (Dramatiq then
    sends its ack again), not the interrupt meant for another thread."""
    release = threading.Event()
    chains = _FirstTripWaits(redis_client, release, second_raises=TimeLimitExceeded)
    group = ChainGroup(chains)
    echo = redis_client.register_script(SET_AND_ECHO)
    outcomes: dict[str, object] = {}
    threads = _two_waiting_behind_a_held_trip(group, chains, echo, outcomes)
    _release_and_join(release, threads, outcomes)
    assert outcomes["a"] == [b"a", b"v", 1, 1]
    assert isinstance(outcomes["b"], TimeLimitExceeded)
    assert isinstance(outcomes["c"], redis.ConnectionError), outcomes["c"]
    assert group.run([ScriptCall(echo, ["after"], ["v"])])[0].result == [b"after", b"v", 1, 1]


class _FirstTripWaits(ScriptChains):
    """The first round trip waits until released; with ``second_raises``, the second
    raises it in the sending thread instead of running: a lost connection, or an
    interrupt arriving during the trip."""

    def __init__(
        self,
        client: redis.Redis,
        release: threading.Event,
        second_raises: type[BaseException] | None = None,
    ) -> None:
        super().__init__(client)
        self.release = release
        self.second_raises = second_raises
        self.first_trip_started = threading.Event()
        self.trips = 0

    def run(self, calls: Sequence[ScriptCall]) -> list[PartAnswer]:
        self.trips += 1
        if self.trips == 1:
            self.first_trip_started.set()
            self.release.wait(5)
        elif self.trips == 2 and self.second_raises is not None:
            raise self.second_raises()
        return super().run(calls)


def _two_waiting_behind_a_held_trip(
    group: ChainGroup, chains: _FirstTripWaits, script: Script, outcomes: dict[str, object]
) -> dict[str, threading.Thread]:
    """Thread a's chain on its (held) first trip, then b's and c's waiting, in that order."""
    threads = {name: _settling_thread(group, script, name, outcomes) for name in ("a", "b", "c")}
    threads["a"].start()
    assert chains.first_trip_started.wait(5)
    for count, name in enumerate(("b", "c"), start=1):
        threads[name].start()
        _wait_for(lambda count=count: len(group._waiting) == count)
    return threads


def _release_and_join(
    release: threading.Event, threads: dict[str, threading.Thread], outcomes: dict[str, object]
) -> None:
    """Let the first trip go; every thread is done within 5 s, none left waiting."""
    release.set()
    for thread in threads.values():
        thread.join(5)
    assert not any(thread.is_alive() for thread in threads.values()), outcomes


def _settling_thread(
    group: ChainGroup, script: Script, name: str, outcomes: dict[str, object]
) -> threading.Thread:
    """A thread that settles one chain through ``group``: its answer, or what it raised,
    goes to ``outcomes[name]``. A daemon, so that a thread left waiting fails the test
    instead of holding up the run."""

    def settle() -> None:
        try:
            outcomes[name] = group.run([ScriptCall(script, [name], ["v"])])[0].result
        except BaseException as e:  # the interrupt, or a connection error
            outcomes[name] = e

    return threading.Thread(target=settle, daemon=True)


def _interrupt(thread: threading.Thread, exception: type[BaseException]) -> None:
    """Raise ``exception`` in ``thread`` as Dramatiq's time limit does."""
    assert thread.ident is not None
    raised = ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread.ident), ctypes.py_object(exception)
    )
    assert raised == 1


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)
