"""Every write to moderation, one function per use case (re-exported from the modules of this package)."""

from moderation.services.appeals import appeal_create, appeal_decide
from moderation.services.audit import audit_record
from moderation.services.cases import case_decide, cases_decide_bulk, item_snapshot_forget
from moderation.services.claims import case_claim, case_claim_next, case_release
from moderation.services.flags import flag_create, screening_record
from moderation.services.netiquette import netiquette_accept, netiquette_publish
from moderation.services.notices import notice_mark_read
from moderation.services.sanctions import sanction_lift
from moderation.services.terms import watched_term_save

__all__ = [
    "appeal_create",
    "appeal_decide",
    "audit_record",
    "case_claim",
    "case_claim_next",
    "case_decide",
    "case_release",
    "cases_decide_bulk",
    "flag_create",
    "item_snapshot_forget",
    "netiquette_accept",
    "netiquette_publish",
    "notice_mark_read",
    "sanction_lift",
    "screening_record",
    "watched_term_save",
]
