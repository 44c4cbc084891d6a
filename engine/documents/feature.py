"""Official documents plug their tables (generated documents, uploaded templates, PDF renditions)
into the schema, and the conversion of requested PDFs into the scheduler."""
from typing import Any

from ..kernel.features import Feature, Sweep


def _convert_pdfs(engine: Any) -> int:
    from .renditions import convert_pending

    return convert_pending(lambda: engine.db.session(write=True), engine.clock.now)


FEATURE = Feature("documents", tables=("engine.documents.store", "engine.documents.renditions"),
                  sweeps=(Sweep("pdf", 2.0, _convert_pdfs),))
