"""Serving many sessions: answers needing the model take turns in arrival order and hear
their place; the store's readers run together and a write waits for them, but not for
an answer waiting in the model's queue. Real threads; the browser test drives the app."""

from __future__ import annotations

import threading
import time

import pytest

from assistant.llm import BudgetSpent
from assistant.serving import GatedLLM, ModelQueue, StoreGuard
from conftest import ScriptedLLM


def _until(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_answers_take_the_model_in_turn_and_hear_how_many_are_ahead():
    queue = ModelQueue(first_guess_s=10.0)
    first, second, third = object(), object(), object()
    queue.acquire(first)
    heard: dict[str, list[tuple[int, float]]] = {"second": [], "third": []}
    order: list[str] = []

    def wait(name: str, turn: object) -> None:
        queue.acquire(turn, lambda n, s: heard[name].append((n, s)), poll_s=0.05)
        order.append(name)

    threads = [threading.Thread(target=wait, args=("second", second))]
    threads[0].start()
    _until(lambda: heard["second"])
    threads.append(threading.Thread(target=wait, args=("third", third)))
    threads[1].start()
    _until(lambda: len(heard["third"]) >= 2)
    assert heard["second"][0][0] == 1 and heard["third"][-1][0] == 2
    # about the rest of the first answer, then one more whole answer
    assert 9.0 <= heard["second"][0][1] <= 10.0 and 18.0 <= heard["third"][-1][1] <= 20.0
    assert queue.waiting() == 3
    queue.release(first)
    _until(lambda: order == ["second"])
    _until(lambda: heard["third"][-1][0] == 1)  # one ahead now
    queue.release(second)
    for t in threads:
        t.join(timeout=5)
    assert order == ["second", "third"]
    queue.release(third)
    assert queue.waiting() == 0 and queue.turns == 3
    assert queue.average_s < 10.0  # measured turns replace the first guess


def test_a_write_waits_for_readers_but_not_for_one_waiting_for_the_model():
    guard, queue = StoreGuard(), ModelQueue()
    holder = object()
    queue.acquire(holder)  # another answer has the model
    llm = GatedLLM(ScriptedLLM("答复"), queue, aside=guard.aside)
    wrote = threading.Event()
    streamed: list[str] = []

    def answer() -> None:
        with guard.reading():
            streamed.append("".join(llm.stream([{"role": "user", "content": "q"}], 10)))

    def write() -> None:
        with guard.writing():
            wrote.set()

    reader = threading.Thread(target=answer)
    reader.start()
    _until(lambda: queue.waiting() == 2)  # the answer waits for the model, aside
    writer = threading.Thread(target=write)
    writer.start()
    assert wrote.wait(5), "the write waited for an answer that was only queued"
    queue.release(holder)
    reader.join(timeout=5)
    assert streamed == ["答复"] and llm.used
    llm.release()
    assert queue.waiting() == 0

    # a write does wait for an answer that is reading
    wrote.clear()
    inside = threading.Event()
    leave = threading.Event()

    def long_read() -> None:
        with guard.reading():
            inside.set()
            leave.wait(5)

    reading = threading.Thread(target=long_read)
    reading.start()
    inside.wait(5)
    writer = threading.Thread(target=write)
    writer.start()
    assert not wrote.wait(0.3)
    leave.set()
    assert wrote.wait(5)
    reading.join(timeout=5)
    writer.join(timeout=5)


def test_one_answer_keeps_the_model_across_its_calls():
    queue = ModelQueue()
    started: list[str] = []
    llm = GatedLLM(ScriptedLLM("一", "二"), queue, on_start=lambda: started.append("start"))
    assert "".join(llm.stream([{"role": "user", "content": "a"}], 5)) == "一"
    assert "".join(llm.stream([{"role": "user", "content": "b"}], 5)) == "二"
    assert started == ["start"] and queue.waiting() == 1  # held between its calls
    other = object()
    got = threading.Event()
    threading.Thread(target=lambda: (queue.acquire(other), got.set())).start()
    assert not got.wait(0.2)
    llm.release()
    assert got.wait(5)
    queue.release(other)


def test_a_turn_that_would_come_after_the_answers_budget_is_not_waited_for():
    queue = ModelQueue(first_guess_s=30.0)
    holder = object()
    assert queue.acquire(holder)
    llm = GatedLLM(ScriptedLLM("x"), queue, latest=time.monotonic() + 5.0)
    t0 = time.monotonic()
    with pytest.raises(BudgetSpent):
        "".join(llm.stream([{"role": "user", "content": "a"}], 5))
    assert time.monotonic() - t0 < 1.0 and queue.waiting() == 1  # left the queue at once
    # a turn expected in time is waited for, and given up when its latest start passes
    queue.average_s = 0.5
    t0 = time.monotonic()
    assert not queue.acquire(object(), poll_s=0.05, latest=time.monotonic() + 1.6)
    assert 0.5 < time.monotonic() - t0 < 2.0
    queue.release(holder)
    assert queue.acquire(object(), latest=time.monotonic() + 1.0)
