"""The directive as data, at the bottom of the domain: the dataclasses the documents print and the
follow-up tracks, the description format (JSON Schema) and its loader and codec."""
