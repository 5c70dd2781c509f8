"""Speed sanity (no timing asserts): generation is vectorised across the customers of a block."""

from __future__ import annotations

from journeykit.simulate import generate, simulate


def test_a_block_takes_as_many_steps_as_its_longest_journey(example, monkeypatch):
    steps = []
    original = generate._Generator._step

    def counting(self, active):
        steps.append(active.size)
        return original(self, active)

    monkeypatch.setattr(generate._Generator, "_step", counting)
    events = simulate(example, customers=20_000, seed=2, block_size=20_000).events
    per_customer = events.group_by("customer_id").aggregate([("event_id", "count")])
    longest = max(per_customer["event_id_count"].to_pylist())
    assert len(steps) == longest
    assert sum(steps) == events.num_rows
    assert steps[0] == 20_000 and events.num_rows > 100_000


def test_memory_is_bounded_by_the_block(example):
    data = simulate(example, customers=5_000, seed=2, block_size=1_000)
    batches = data.iter_batches(flat=True)
    first = next(batches)
    assert first.customers == 1_000
    assert first.events.num_rows < 10_000  # one block's rows, not the whole run's (~33,000)
    assert sum(1 for _ in batches) == 4
