"""Watched terms, managed by community managers in the admin."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_community_manager
from moderation.models import TermAction, WatchedTerm
from moderation.screening import term_normalize
from moderation.services.audit import audit_record


def watched_term_save(*, actor: User, term: WatchedTerm) -> WatchedTerm:
    """Validate (plain words only: no pattern can make screening hang) and save a watched term."""
    if not is_community_manager(actor):
        raise PermissionDenied(_("Only community managers can moderate."))
    term.term = " ".join((term.term or "").split())
    term.normalized = term_normalize(term.term)
    if term.action == TermAction.REPLACE and not term.replacement:
        raise ValidationError({"replacement": _("Say what replaces the term.")})
    try:
        with transaction.atomic():
            term.save()
            audit_record(
                actor=actor,
                action="watched_term",
                rule_number=term.rule.number,
                term=term.term,
                term_action=term.action,
            )
    except IntegrityError:
        raise ValidationError({"term": _("This term is already watched.")}) from None
    return term
