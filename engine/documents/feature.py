"""Official documents plug their tables (generated documents, uploaded templates) into the schema."""
from ..kernel.features import Feature

FEATURE = Feature("documents", tables=("engine.documents.store",))
