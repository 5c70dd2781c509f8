"""Validation of the simulation section: precise key paths, nothing normalised silently."""

from __future__ import annotations

import pytest
import yaml

from journeykit.errors import ModelError
from journeykit.simulate import simulate, simulation_spec
from journeykit.simulate.durations import parse_duration
from tests.simulate.conftest import with_simulation


DELAY = {"median": "1d", "sigma": 0.5}
TWO_TRIGGERS = {"at": "refund", "after": "shipping", "delay_above": "5d"}


def _problems(model) -> list[tuple[str, str]]:
    with pytest.raises(ModelError) as info:
        simulation_spec(model, "shop.yaml")
    assert str(info.value).startswith("shop.yaml: invalid journey model: ")
    return info.value.problems


def test_example_section_is_valid(example):
    spec = simulation_spec(example)
    assert spec.period == 365 * 86400
    assert spec.delays["shipping"].median == 3 * 86400
    assert spec.start_utc.isoformat() == "2025-01-01T00:00:00+00:00"


def _transitions(example, **rows):
    """The example's transition rows with some replaced (``None``: removed)."""
    merged = {**example.simulation["transitions"], **rows}
    return {tp: row for tp, row in merged.items() if row is not None}


@pytest.mark.parametrize(
    ("changes", "path", "message"),
    [
        (lambda m: {"transitions": _transitions(m, delivery={"setup_help": 0.5, "exit": 0.4})},
         "simulation.transitions.delivery", "probabilities sum to 0.9, expected 1"),
        (lambda m: {"transitions": _transitions(m, checkout={"paymnet": 0.85, "exit": 0.15})},
         "simulation.transitions.checkout", "unknown touchpoint 'paymnet'"),
        (lambda m: {"period": "15x"}, "simulation.period", "invalid duration '15x'"),
        (lambda m: {"delays": {"shipping": {"median": "3 days", "sigma": 0.5}}},
         "simulation.delays.shipping.median", "invalid duration '3 days'"),
        (lambda m: {"entry": {"social_ad": 0.5, "search_ad": 0.6}}, "simulation.entry", "sum to 1.1"),
        (lambda m: {"transitions": _transitions(m, referral_given=None)},
         "simulation.transitions", "no row for touchpoint 'referral_given'"),
        (lambda m: {"emits": {"support_contact": [{"event": "support_fax", "p": 1.0}]}},
         "simulation.emits.support_contact[0].event", "'support_fax' does not map to touchpoint"),
        (lambda m: {"emits": {}}, "simulation.emits.support_contact", "maps only patterns"),
        (lambda m: {"customers": {"channel": {"web": 1.0}}}, "simulation.customers.channel", "rename it"),
        (lambda m: {"revenue": {**m.simulation["revenue"], "median": {"consumer": 90}}},
         "simulation.revenue.median", "one median per segment value"),
        (lambda m: {"horizon": "30d"}, "simulation.horizon", "at least the period"),
        (lambda m: {"period": "2d", "weekday_weights": [1, 1, 0, 0, 1, 1, 1]},  # 2025-01-01 is a Wednesday
         "simulation.weekday_weights", "no day of the period has a positive weight"),
        (lambda m: {"surveys": {"nps": {"rate": 0.4, "delay": DELAY, "mean": 8, "sd": 1,
                                        "effects": {"late_delivry": -1}}}},
         "simulation.surveys.nps.effects", "unknown effect 'late_delivry'"),
        (lambda m: {"surveys": {"csat": {"rate": 1.5, "delay": DELAY, "mean": 4, "sd": 1}}},
         "simulation.surveys.csat.rate", "less than or equal to 1"),
        (lambda m: {"experience": {"effects": {"x": TWO_TRIGGERS}}},
         "simulation.experience.effects.x", "exactly one trigger"),
        (lambda m: {"cases": {"a": {"prefix": "A", "opened_by": ["payment"]},
                              "b": {"prefix": "B", "opened_by": ["payment"]}}},
         "simulation.cases.b", "already belongs to case kind 'a'"),
        (lambda m: {"unknown_key": 1}, "simulation.unknown_key", "Extra inputs are not permitted"),
    ],
)
def test_invalid_sections_name_the_key(example, changes, path, message):
    problems = _problems(with_simulation(example, **changes(example)))
    assert any(p == path and message in msg for p, msg in problems), problems


def test_all_problems_are_reported_together(example):
    model = with_simulation(example, entry={"social_ad": 0.5}, horizon="1d")
    paths = [p for p, _ in _problems(model)]
    assert paths == ["simulation.entry", "simulation.horizon"]


def test_missing_section(example):
    model = example.model_copy(update={"simulation": None})
    assert _problems(model) == [("simulation", "the model has no simulation section (see docs/simulate.md)")]


def test_simulate_reports_the_model_file(tmp_path, example):
    bad = example.model_dump(mode="json", exclude_none=True)
    bad["simulation"]["period"] = "1 year"
    path = tmp_path / "journey.yaml"

    path.write_text(yaml.safe_dump(bad))
    expected = r"journey\.yaml: invalid journey model: simulation\.period: invalid duration '1 year'"
    with pytest.raises(ModelError, match=expected):
        simulate(path, customers=10)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("15m", 900), ("1.5h", 5400), ("2d", 172800), ("1w", 604800), (" 3 d ", 259200)],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["15x", "m", "-3d", "3", 3, None, "2 days"])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)
