"""The generic workflow engine: definitions, instances, human tasks, timers, messages, expressions,
audit and accounts. It imports nothing of the domain and names no business object; what an instance
serves is a generic reference (`ref_type`, `ref_id`), and lane roles, service tasks and tables come
from the domain's features when the engine is composed (engine/app.py)."""
