"""What a person typed in an HTML task form, field by field, as the engine's form rules read it
(engine.kernel.forms converts and checks; nothing is converted here)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from engine.kernel.forms import FormField


def submitted_values(fields: Iterable[FormField], form: Mapping[str, str]) -> dict[str, str]:
    """The strings typed for each declared field (an unchecked box sends nothing: ""); keys the form
    does not declare are left out, so nobody can write other process data through the page."""
    return {f.name: form.get(f.name, "") for f in fields}


def initial_values(fields: Iterable[FormField]) -> dict[str, str]:
    """The strings a fresh form shows: each field's default, or empty."""
    values = {}
    for form_field in fields:
        default = form_field.default
        if default is None:
            values[form_field.name] = ""
        elif form_field.type == "bool":
            values[form_field.name] = "on" if default else ""
        else:
            values[form_field.name] = str(default)
    return values
