"""Journey model loading and validation."""

from __future__ import annotations

import pytest

from journeykit.errors import ModelError
from journeykit.model import load_model, parse_model
from journeykit.workspace import EXAMPLE_MODEL


def test_example_model_loads_and_maps_events():
    m = load_model(EXAMPLE_MODEL)
    assert [s.name for s in m.stages] == ["awareness", "consideration", "purchase", "post-purchase", "loyalty"]
    assert m.stage_order["purchase"] == 2
    assert m.touchpoint_of("support_chat") == "support_contact"  # regex
    assert m.touchpoint_of("payment_ok") == "payment"  # exact
    assert m.touchpoint_of("nothing") is None
    assert m.survey_by_name["support_ces"].scale == (1, 7)
    assert m.survey_by_name["nps"].scale == (0, 10)


def test_round_trip_yaml(tmp_path):
    m = load_model(EXAMPLE_MODEL)
    p = tmp_path / "m.yaml"
    p.write_text(m.to_yaml())
    assert load_model(p).model_dump(mode="json") == m.model_dump(mode="json")


@pytest.mark.parametrize(
    "doc, path, message",
    [
        ({"stages": ["a"], "touchpoints": [{"name": "x", "stage": "b"}]}, "touchpoints[0].stage", "unknown stage 'b'"),
        ({"stages": ["a", "a"], "touchpoints": []}, "stages", "duplicate stage 'a'"),
        ({"stages": ["a"], "touchpoints": [{"name": "x", "stage": "a", "cost": -1}]}, "touchpoints[0].cost",
         "greater than or equal to 0"),
        ({"stages": ["a"], "touchpoints": [{"name": "x", "stage": "a", "events": ["re:("]}]}, "touchpoints[0].events",
         "invalid regular expression"),
        ({"stages": ["a"], "touchpoints": [], "surveys": [{"name": "s", "kind": "custom"}]}, "surveys[0]",
         "custom survey needs an explicit scale"),
        ({"stages": ["a"], "touchpoints": [], "surveys": [{"name": "s", "kind": "nps", "scale": [5, 1]}]},
         "surveys[0]", "low < high"),
        ({"stages": ["a"], "touchpoints": [], "surveys": [{"name": "s", "kind": "nps", "touchpoint": "zz"}]},
         "surveys[0].touchpoint", "unknown touchpoint 'zz'"),
        ({"stages": ["a"], "touchpoints": [], "colour": 1}, "colour", "Extra inputs are not permitted"),
        ({"touchpoints": []}, "stages", "Field required"),
    ],
)
def test_invalid_models_name_the_key_path(doc, path, message):
    with pytest.raises(ModelError) as err:
        parse_model(doc, "my.yaml")
    assert any(p == path and message in m for p, m in err.value.problems), err.value.problems
    assert str(err.value).startswith("my.yaml: invalid journey model:")


def test_yaml_syntax_error_has_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("stages: [a\ntouchpoints: {")
    with pytest.raises(ModelError, match=r"bad.yaml: invalid journey model: line \d+, column \d+: not valid YAML"):
        load_model(p)


def test_support_stages_are_optional_and_checked():
    doc = {"stages": ["intake", "handling"], "touchpoints": []}
    assert parse_model(doc).support_stages is None and "support_stages" not in parse_model(doc).to_yaml()
    assert parse_model({**doc, "support_stages": "handling"}).support_stages == ["handling"]
    with pytest.raises(ModelError, match=r"support_stages\[1\]: unknown stage 'resolution'"):
        parse_model({**doc, "support_stages": ["intake", "resolution"]})
