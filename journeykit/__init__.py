"""journeykit: measure the customer journey and plan the work that improves it."""

from journeykit.engine import Engine, Filters
from journeykit.model import JourneyModel, load_model
from journeykit.workspace import Workspace

__version__ = "0.1.0"

__all__ = ["Engine", "Filters", "JourneyModel", "Workspace", "load_model"]
