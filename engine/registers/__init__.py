"""Registers of outgoing and incoming documents and the numbering service."""
from .incoming import assign_incoming, incoming_page, register_incoming
from .models import IncomingEntry, NumberCounter, OutgoingEntry, PartyTerm
from .numbering import (
    add_party_term,
    cancel_issuance,
    format_number,
    issue_number,
    load_party_terms,
    next_number,
    outgoing_page,
    party_term_on,
)

__all__ = [
    "IncomingEntry", "NumberCounter", "OutgoingEntry", "PartyTerm", "add_party_term", "assign_incoming",
    "cancel_issuance", "format_number", "incoming_page", "issue_number", "load_party_terms", "next_number",
    "outgoing_page", "party_term_on", "register_incoming",
]
