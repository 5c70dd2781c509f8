"""The public API in journeykit/__init__.py resolves every name it advertises."""

import journeykit


def test_every_exported_name_resolves():
    for name in journeykit.__all__:
        assert getattr(journeykit, name) is not None, name


def test_plan_round_trip_through_top_level(tmp_path):
    plan = journeykit.read_plan
    assert callable(plan)
    assert journeykit.analytics.transitions is journeykit.transitions


def test_functions_are_functions_not_their_modules():
    import types

    for name in ("ccpm", "transitions", "funnel", "benchmark", "feedback", "value_chain"):
        assert not isinstance(getattr(journeykit, name), types.ModuleType), name
    assert isinstance(journeykit.schedule, types.ModuleType)
