"""Registers of outgoing and incoming documents and the numbering service."""
from .incoming import (
    assign_incoming,
    find_incoming,
    incoming_for_directive,
    incoming_page,
    next_arrival_number,
    register_incoming,
)
from .models import IncomingEntry, NumberCounter, OutgoingEntry, PartyTerm
from .numbering import (
    add_party_term,
    cancel_issuance,
    claim_number,
    format_number,
    issue_number,
    load_party_terms,
    next_number,
    outgoing_page,
    party_term_on,
)

__all__ = [
    "IncomingEntry", "NumberCounter", "OutgoingEntry", "PartyTerm", "add_party_term", "assign_incoming",
    "cancel_issuance", "claim_number", "find_incoming", "format_number", "incoming_for_directive", "incoming_page",
    "issue_number", "load_party_terms", "next_arrival_number", "next_number", "outgoing_page", "party_term_on",
    "register_incoming",
]
