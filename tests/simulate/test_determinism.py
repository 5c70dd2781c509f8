"""Seeded and deterministic: the same seed gives the same data whatever the block size."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from journeykit.simulate import simulate


def test_same_seed_same_output(example, small):
    events, responses = small
    again = simulate(example, customers=3_000, seed=7, block_size=1_000)
    assert again.events.equals(events)
    assert again.responses.equals(responses)
    assert events.num_rows > 15_000 and responses.num_rows > 500


def test_output_does_not_depend_on_block_size(example):
    whole = simulate(example, customers=400, seed=3, block_size=400)
    tiny = simulate(example, customers=400, seed=3, block_size=37)
    assert len(list(tiny.iter_batches())) == 11
    assert tiny.events.equals(whole.events)
    assert tiny.responses.equals(whole.responses)


def test_a_customer_does_not_depend_on_the_customer_count(example, small):
    events, _ = small
    fewer = simulate(example, customers=1_000, seed=7).events
    first = events.filter(pa.compute.less_equal(events["customer_id"], "C00001000"))
    assert fewer.equals(first)


def test_different_seed_different_output(example, small):
    events, _ = small
    other = simulate(example, customers=3_000, seed=8).events
    assert not other.equals(events)
    # not a shifted copy either: the customers' first events differ in time and touchpoint
    a, b = events.to_pandas().groupby("customer_id").first(), other.to_pandas().groupby("customer_id").first()
    assert (a["timestamp"] != b["timestamp"]).mean() > 0.99
    assert 0.3 < (a["touchpoint"] != b["touchpoint"]).mean() < 0.95


def test_seq_is_the_global_generation_order(example):
    data = simulate(example, customers=300, seed=1, block_size=50)
    seqs = [b.events.column("seq").to_numpy() for b in data.iter_batches()]
    assert np.array_equal(np.concatenate(seqs), np.arange(sum(len(s) for s in seqs)))
    r = data.responses.column("seq").to_numpy()
    assert np.array_equal(r, np.arange(len(r)))
