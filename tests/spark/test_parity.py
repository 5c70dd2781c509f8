"""Every analysis gives identical results on DuckDB and on Spark (exact counts, 1e-9 relative floats)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from journeykit import analytics
from journeykit.engine import Filters

pytestmark = pytest.mark.spark


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    keys = [c for c in a.columns if not pd.api.types.is_float_dtype(a[c])]
    a = a.sort_values(keys, kind="stable").reset_index(drop=True)
    b = b.sort_values(keys, kind="stable").reset_index(drop=True)
    for col in a.columns:
        x, y = a[col], b[col]
        if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
            np.testing.assert_allclose(x.astype(float), y.astype(float), rtol=1e-9, atol=0, equal_nan=True,
                                       err_msg=col)
        else:
            assert x.astype(str).tolist() == y.astype(str).tolist(), col


ANALYSES: dict[str, Callable] = {
    "transitions_touchpoint": lambda e: analytics.transitions(e),
    "transitions_stage_case": lambda e: analytics.transitions(e, by="case", level="stage"),
    "transitions_filtered": lambda e: analytics.transitions(
        e, filters=Filters(start="2025-03-01", end="2025-09-01", segment={"segment": "business"})),
}


@pytest.mark.parametrize("name", sorted(ANALYSES))
def test_same_result_on_both_engines(parity_engines, name):
    duck, spark = parity_engines
    run = ANALYSES[name]
    assert_same(run(duck).table, run(spark).table)


def test_engines_hold_the_same_events(parity_engines):
    duck, spark = parity_engines
    assert duck.execute(duck.events.count()) == spark.execute(spark.events.count())
