"""Directives (chỉ thị) and the other instruments a province issues: data, format, storage."""
