"""chithi engine: BPMN execution on SQL, inbox tables, timers, safe expressions, documents,
numbering, the directory of bodies and the audit log. Never imports flask or web."""
