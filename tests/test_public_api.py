"""The public API in journeykit/__init__.py resolves every name it advertises."""

import journeykit


def test_every_exported_name_resolves():
    for name in journeykit.__all__:
        assert getattr(journeykit, name) is not None, name


def test_plan_round_trip_through_top_level(tmp_path):
    plan = journeykit.read_plan
    assert callable(plan)
    assert journeykit.analytics.transitions is journeykit.transitions
