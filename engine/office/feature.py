"""The office's roles plug into the engine: lane names of the models → the roles that do their work."""
from ..kernel.features import Feature
from .roles import LANE_ROLES

FEATURE = Feature("office", lane_roles=LANE_ROLES)
