"""The statement of reasons (DSA art. 17) and appeal outcomes, as the author reads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.core.cache import cache
from django.http import Http404
from django.utils.translation import get_language

from moderation.models import (
    RESTRICTING,
    Appeal,
    AppealOutcome,
    LegalGround,
    Notice,
    SanctionKind,
)
from moderation.selectors.standing import policy_get

NOTICE_SALT = "moderation.notice"


def notice_token(notice: Notice) -> str:
    """Signed id of a notice: the e-mail's link opens it without signing in (a banned author can appeal)."""
    return signing.dumps(notice.pk, salt=NOTICE_SALT)


def notice_from_token(token: str) -> Notice:
    try:
        pk = signing.loads(token, salt=NOTICE_SALT, max_age=timedelta(days=policy_get().appeal_days + 30))
    except signing.BadSignature:
        raise Http404 from None
    return _notices().filter(pk=pk).first() or _not_found()


def _not_found():
    raise Http404


def _notices():
    return Notice.objects.select_related("decision__case", "decision__rule", "recipient", "appeal")


def access_notice(user, pk: int) -> Notice:
    """The member's own notice, or 404 for a missing and someone else's alike."""
    notice = _notices().filter(pk=pk, recipient_id=getattr(user, "pk", None)).first()
    if notice is None:
        raise Http404
    return notice


def notice_list(user) -> list[Notice]:
    return list(_notices().filter(recipient_id=user.pk).order_by("-created_at")[:100])


def unread_notices_key(user_id: int) -> str:
    return f"moderation:notices:unread:{user_id}"


def unread_notice_count(user, *, found: dict | None = None) -> int:
    """Unread moderation notices, for the header of every page: a cache read, never a query.

    The count is written when a notice is created or read (moderation.services.notices); a missing key
    means none. Should Redis lose it, the badge is gone until the next notice: the notice itself stays
    on its page and was e-mailed. `found`: the cache's values, when the caller read this key along with
    others.
    """
    key = unread_notices_key(user.pk)
    return (found.get(key) if found is not None else cache.get(key)) or 0


@dataclass(frozen=True)
class Statement:
    notice: Notice
    rule_number: int | None
    rule_title: str
    rule_text: str
    legal_ground: str
    legal_reference: str
    sanction: str
    sanction_days: int | None
    sanction_ends: datetime | None
    appeal: Appeal | None
    can_appeal: bool
    appeal_until: datetime

    @property
    def decision(self):
        return self.notice.decision

    @property
    def appeal_decided(self) -> bool:
        return self.appeal is not None and self.appeal.outcome != AppealOutcome.PENDING


def statement_for(notice: Notice) -> Statement:
    """Everything art. 17 asks, in the reader's language, from the rule as it read when deciding."""
    decision = notice.decision
    snapshot = decision.rule_snapshot or {}
    french = (get_language() or "").startswith("fr")
    appeal = Appeal.objects.filter(decision=decision).first()
    appeal_until = decision.created_at + timedelta(days=policy_get().appeal_days)
    from django.utils import timezone

    restricting = decision.action in RESTRICTING or decision.sanction != SanctionKind.NONE
    return Statement(
        notice=notice,
        rule_number=snapshot.get("number"),
        rule_title=snapshot.get("title_fr" if french else "title_en", ""),
        rule_text=snapshot.get("text_fr" if french else "text_en", ""),
        legal_ground=str(LegalGround(snapshot["legal_ground"]).label) if snapshot.get("legal_ground") else "",
        legal_reference=snapshot.get("legal_reference", ""),
        sanction=decision.sanction,
        sanction_days=decision.sanction_days,
        sanction_ends=(decision.created_at + timedelta(days=decision.sanction_days))
        if decision.sanction_days
        else None,
        appeal=appeal,
        can_appeal=restricting and appeal is None and timezone.now() < appeal_until,
        appeal_until=appeal_until,
    )
