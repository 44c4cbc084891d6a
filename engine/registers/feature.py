"""The registers (sổ đăng ký văn bản đi / đến) plug their tables into the engine's schema."""
from ..kernel.features import Feature

FEATURE = Feature("registers", tables=("engine.registers.models",))
