"""The directive's life plugs into the engine: its tables and the service tasks of its models."""
from ..kernel.features import Feature
from .services import register

FEATURE = Feature("directives", tables=("engine.directives.store", "engine.directives.issuers"), services=register)
