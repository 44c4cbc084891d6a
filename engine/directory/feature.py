"""The directory of bodies plugs its tables into the engine's schema and names bodies for it (an
account's body is checked against the directory)."""
from ..kernel.features import Feature
from .service import body_name

FEATURE = Feature("directory", tables=("engine.directory.models",), body_name=body_name)
