"""The office's roles plug into the engine: the roles accounts may hold, and the lane names of the
models → the roles that do their work."""
from ..kernel.features import Feature
from .roles import LANE_ROLES, ROLE_LABELS

FEATURE = Feature("office", lane_roles=LANE_ROLES, roles=ROLE_LABELS)
