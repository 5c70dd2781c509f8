"""Declarative domain objects loaded from YAML."""

from journeykit.model.journey import (
    DEFAULT_SCALES,
    JourneyModel,
    Stage,
    Survey,
    Touchpoint,
    load_model,
    parse_model,
)

__all__ = ["DEFAULT_SCALES", "JourneyModel", "Stage", "Survey", "Touchpoint", "load_model", "parse_model"]
