"""The directory of bodies plugs its table into the engine's schema."""
from ..kernel.features import Feature

FEATURE = Feature("directory", tables=("engine.directory.models",))
