"""Cases: flags and screening open them, community managers claim and decide them.

One case per item is kept by the partial unique constraint `moderation_case_one_open_per_item`; a
resolved case is reopened by new flags. Claims take rows with SELECT … FOR UPDATE SKIP LOCKED, and a
decision locks its case and refuses one already resolved, so two community managers never decide the
same case twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_ambassador, is_community_manager
from moderation.models import (
    QUEUED,
    RESTRICTING,
    Case,
    CaseKind,
    CaseState,
    Decision,
    DecisionAction,
    Flag,
    FlagOutcome,
    ModerationPolicy,
    NetiquetteRule,
    SanctionKind,
    ScreeningMatch,
    Source,
)
from moderation.permissions import member_can_flag
from moderation.registry import GONE, HELD, REMOVED, VISIBLE, ItemInfo, registry
from moderation.screening import Reason
from moderation.selectors import active_points, ladder_proposal, policy_get
from moderation.services.audit import audit_record
from moderation.services.notices import notice_create
from moderation.services.sanctions import sanction_apply, strike_add

COMMENT_MAX = 1000
EXPLANATION_MAX = 2000
# Priority a screening reason adds (a watched term adds its rule's severity twice).
SOURCE_SCORE = {
    Source.NEW_MEMBER: 1,
    Source.PREMODERATED: 1,
    Source.LINKS: 2,
    Source.RATE: 3,
    Source.RESUBMITTED: 2,
    Source.APPEAL: 10,
}


def _require_moderator(actor: User) -> None:
    if not is_community_manager(actor):
        raise PermissionDenied(_("Only community managers can moderate."))


def _rank(score: float, opened_at: datetime, policy: ModerationPolicy) -> int:
    return round(score * policy.seconds_per_point) - int(opened_at.timestamp())


def _info(item_type: str, item_id: int) -> ItemInfo:
    try:
        adapter = registry.get(item_type)
    except LookupError:
        raise ValidationError(_("This kind of content cannot be moderated.")) from None
    info = adapter.info(item_id)
    if info is None:
        raise ValidationError(_("This content no longer exists."))
    return info


def _case_for(info: ItemInfo, *, now: datetime, kind: str = CaseKind.CONTENT) -> Case:
    """The item's queued case, locked: found, reopened (the latest resolved one) or created."""
    item = {"item_type": info.item_type, "item_id": info.item_id, "kind": kind}
    case = Case.objects.select_for_update().filter(**item, state__in=QUEUED).first()
    if case is not None:
        return case
    snapshot = {
        "author_id": info.author_id,
        "scope": info.scope[:80],
        "scope_label": info.scope_label[:120],
        "excerpt": info.excerpt[:300],
        "item_url": info.url[:300],
    }
    if kind == CaseKind.CONTENT:
        latest = Case.objects.select_for_update().filter(**item).order_by("-opened_at").first()
        if latest is not None:
            if latest.state in QUEUED:  # Reopened by a concurrent transaction while this one waited.
                return latest
            for name, value in snapshot.items():
                setattr(latest, name, value)
            latest.state = CaseState.OPEN
            latest.opened_at = now
            latest.score = 0
            latest.rule = None
            latest.sources = []
            latest.flag_count = 0
            latest.hidden_by_score = False
            latest.first_flag_at = latest.first_action_at = latest.resolved_at = None
            latest.claimed_by = latest.claimed_until = None
            latest.save()
            audit_record(actor=None, action="reopen", case=latest, automated=True)
            return latest
    try:
        with transaction.atomic():
            return Case.objects.create(**item, **snapshot, opened_at=now, rank=-int(now.timestamp()))
    except IntegrityError:
        # Another transaction opened the item's case first: join it.
        return Case.objects.select_for_update().get(**item, state__in=QUEUED)


def _bump(
    case: Case, *, score: float, source: str, rule: NetiquetteRule | None, policy: ModerationPolicy
) -> None:
    case.score = round(case.score + score, 2)
    case.rank = _rank(case.score, case.opened_at, policy)
    if source not in case.sources:
        case.sources = [*case.sources, source]
    if rule is not None and (case.rule is None or rule.severity > case.rule.severity):
        case.rule = rule


def _hide_past_threshold(case: Case, info: ItemInfo, policy: ModerationPolicy) -> None:
    """A score past the threshold hides the item at once, pending review (an automated measure)."""
    if case.score < policy.hide_score or case.hidden_by_score or info.visibility != VISIBLE:
        return
    before = registry.get(case.item_type).set_visibility(case.item_id, HELD)
    case.hidden_by_score = True
    audit_record(
        actor=None, action="auto_hide", case=case, before=before, after=HELD, automated=True, score=case.score
    )


def _flag_weight(actor: User, policy: ModerationPolicy) -> float:
    """A flagger's weight: their role's, scaled by how often their past flags were upheld (Laplace)."""
    if is_community_manager(actor):
        base = policy.manager_weight
    elif is_ambassador(actor):
        base = policy.ambassador_weight
    else:
        base = 1.0
    history = Flag.objects.filter(flagger=actor).aggregate(
        upheld=Count("pk", filter=Q(outcome=FlagOutcome.UPHELD)),
        rejected=Count("pk", filter=Q(outcome=FlagOutcome.REJECTED)),
    )
    accuracy = (history["upheld"] + 1) / (history["upheld"] + history["rejected"] + 2)
    return round(base * 2 * accuracy, 2)


def flag_create(
    *, actor: User, item_type: str, item_id: int, rule: NetiquetteRule, comment: str = ""
) -> Flag:
    """Flag an item citing a rule: once per member and item. Opens or joins the item's case, raises its
    priority by the rule's severity times the flagger's weight, and hides the item past the threshold.

    Locks the item's case row; the unique (flagger, item) constraint settles a double submit.
    """
    if not member_can_flag(actor):
        raise PermissionDenied(_("You cannot flag content at the moment."))
    if rule is None or not rule.active:
        raise ValidationError({"rule": _("Choose the netiquette rule this content breaks.")})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {"comment": _("Keep the comment under %(max)s characters.") % {"max": COMMENT_MAX}}
        )
    info = _info(item_type, item_id)
    if not registry.get(item_type).visible_to(actor, item_id):
        raise ValidationError(_("This content no longer exists."))
    if info.visibility in (REMOVED, GONE):
        raise ValidationError(_("This content has already been removed."))
    if info.author_id == actor.pk:
        raise ValidationError(_("You cannot flag your own content."))
    if Flag.objects.filter(flagger=actor, item_type=item_type, item_id=item_id).exists():
        raise ValidationError(_("You have already flagged this."))
    policy = policy_get()
    now = timezone.now()
    with transaction.atomic():
        registry.get(item_type).lock(item_id)
        case = _case_for(info, now=now)
        weight = _flag_weight(actor, policy)
        try:
            with transaction.atomic():
                flag = Flag.objects.create(
                    case=case,
                    item_type=item_type,
                    item_id=item_id,
                    flagger=actor,
                    rule=rule,
                    comment=comment,
                    weight=weight,
                )
        except IntegrityError:
            raise ValidationError(_("You have already flagged this.")) from None
        case.flag_count += 1
        case.first_flag_at = case.first_flag_at or now
        _bump(case, score=rule.severity * weight, source=Source.FLAG, rule=rule, policy=policy)
        _hide_past_threshold(case, info, policy)
        case.save()
        audit_record(
            actor=actor,
            action="flag",
            case=case,
            rule_number=rule.number,
            weight=weight,
            comment=comment[:200],
        )
    return flag


def screening_record(*, item_type: str, item_id: int, reasons: list[Reason]) -> Case | None:
    """Open (or join) the case of an item that screening held or flagged, inside the caller's transaction.

    Called by content apps right after they wrote the item; a held item was written awaiting review.
    """
    if not reasons:
        return None
    info = _info(item_type, item_id)
    policy = policy_get()
    rules = NetiquetteRule.objects.in_bulk([r.rule_id for r in reasons if r.rule_id])
    with transaction.atomic():
        case = _case_for(info, now=timezone.now())
        for reason in reasons:
            rule = rules.get(reason.rule_id)
            ScreeningMatch.objects.create(
                case=case, source=reason.source, rule=rule, detail=reason.detail[:300], held=reason.held
            )
            score = rule.severity * 2 if rule else SOURCE_SCORE.get(reason.source, 1)
            _bump(case, score=score, source=reason.source, rule=rule, policy=policy)
            audit_record(
                actor=None,
                action="hold" if reason.held else "screen",
                case=case,
                rule_number=rule.number if rule else None,
                after=HELD if reason.held else info.visibility,
                automated=True,
                source=reason.source,
                detail=reason.detail[:200],
            )
        case.save()
    return case


# Claims ------------------------------------------------------------------------------------------


def _claimable(actor: User, now: datetime):
    """Queued cases nobody holds (or whose claim expired); appeals not of the actor's own decisions
    while another community manager can take them."""
    cases = Case.objects.filter(state__in=QUEUED).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    if _other_moderators_exist(actor):
        cases = cases.exclude(kind=CaseKind.APPEAL, appeal__decision__moderator=actor)
    return cases


def _other_moderators_exist(actor: User) -> bool:
    from accounts.roles import COMMUNITY_MANAGERS

    return (
        User.objects.filter(Q(is_superuser=True) | Q(groups__name=COMMUNITY_MANAGERS), is_active=True)
        .exclude(pk=actor.pk)
        .exists()
    )


def case_claim_next(*, actor: User) -> Case | None:
    """Give the actor the highest-priority queued case nobody holds, or None when the queue is empty.

    SELECT … FOR UPDATE SKIP LOCKED on the queue index: concurrent callers each get a different case.
    The actor's previous claim is released.
    """
    _require_moderator(actor)
    policy = policy_get()
    now = timezone.now()
    with transaction.atomic():
        Case.objects.filter(state=CaseState.CLAIMED, claimed_by=actor).update(
            state=CaseState.OPEN, claimed_by=None, claimed_until=None
        )
        case = (
            _claimable(actor, now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("-rank", "-id")
            .first()
        )
        if case is None:
            return None
        _claim(case, actor, now, policy)
    return case


def _claim(case: Case, actor: User, now: datetime, policy: ModerationPolicy) -> None:
    case.state = CaseState.CLAIMED
    case.claimed_by = actor
    case.claimed_until = now + timedelta(minutes=policy.claim_minutes)
    case.first_action_at = case.first_action_at or now
    case.save(update_fields=["state", "claimed_by", "claimed_until", "first_action_at"])
    audit_record(actor=actor, action="claim", case=case)


def case_claim(*, actor: User, case: Case) -> Case:
    """Claim one case from its page; refused while another community manager holds it."""
    _require_moderator(actor)
    policy = policy_get()
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.state == CaseState.RESOLVED:
            raise ValidationError(_("This case has already been decided."))
        if _held_by_other(case, actor, now):
            raise ValidationError(
                _("%(name)s is working on this case.") % {"name": case.claimed_by.public_name}
            )
        _claim(case, actor, now, policy)
    return case


def case_release(*, actor: User, case: Case) -> None:
    _require_moderator(actor)
    with transaction.atomic():
        released = Case.objects.filter(pk=case.pk, state=CaseState.CLAIMED, claimed_by=actor).update(
            state=CaseState.OPEN, claimed_by=None, claimed_until=None
        )
        if released:
            audit_record(actor=actor, action="release", case=case)


def _held_by_other(case: Case, actor: User, now: datetime) -> bool:
    return (
        case.state == CaseState.CLAIMED
        and case.claimed_by_id not in (None, actor.pk)
        and case.claimed_until is not None
        and case.claimed_until > now
    )


# Decisions ---------------------------------------------------------------------------------------


def _facts(case: Case) -> str:
    """What the decision relied on, in words the statement of reasons repeats."""
    parts = []
    if case.flag_count:
        parts.append(_("%(n)s report(s) by members citing the netiquette.") % {"n": case.flag_count})
    matches = list(case.matches.values_list("source", "detail"))
    if matches:
        labels = dict(Source.choices)
        parts.append(
            _("Automatic screening: %(list)s.")
            % {"list": "; ".join(f"{labels.get(source, source)} ({detail})" for source, detail in matches)}
        )
    return " ".join(parts)


def case_decide(
    *,
    actor: User,
    case: Case,
    action: str,
    rule: NetiquetteRule | None = None,
    explanation: str = "",
    sanction: str | None = SanctionKind.NONE,
    sanction_days: int | None = None,
    override_reason: str = "",
    body: str | None = None,
) -> Decision:
    """Decide a queued case: set the item's visibility, settle its flags, add strike points and the
    sanction, tell the author (statement of reasons) and record it all in the audit log.

    Locks the case row: a case already resolved, or held by another community manager, is refused.
    `sanction=None` applies what the ladder proposes (bulk decisions).
    """
    _require_moderator(actor)
    if action not in DecisionAction.values:
        raise ValidationError({"action": _("Choose a decision.")})
    explanation = (explanation or "").strip()
    override_reason = (override_reason or "").strip()
    restricting = action in RESTRICTING
    if restricting and rule is None:
        raise ValidationError({"rule": _("Cite the netiquette rule this decision rests on.")})
    if restricting and not explanation:
        raise ValidationError({"explanation": _("Explain the decision in a few words: the author reads it.")})
    if len(explanation) > EXPLANATION_MAX:
        raise ValidationError(
            {"explanation": _("Keep the explanation under %(max)s characters.") % {"max": EXPLANATION_MAX}}
        )
    follow_ladder = sanction is None
    sanction = SanctionKind.NONE if follow_ladder else sanction
    if sanction not in SanctionKind.values:
        raise ValidationError({"sanction": _("Choose a sanction.")})
    if sanction != SanctionKind.NONE and not restricting:
        raise ValidationError({"sanction": _("Only a decision citing a rule can sanction the author.")})
    if sanction == SanctionKind.SUSPENSION and not (sanction_days and 1 <= sanction_days <= 3650):
        raise ValidationError(
            {"sanction_days": _("Say for how many days (1 to 3650) the member is suspended.")}
        )
    if sanction != SanctionKind.SUSPENSION:
        sanction_days = None
    if action == DecisionAction.EDIT and not (body or "").strip():
        raise ValidationError({"body": _("Write the corrected text to approve.")})
    now = timezone.now()
    with transaction.atomic():
        registry.get(case.item_type).lock(case.item_id)
        case = Case.objects.select_for_update(of=("self",)).select_related("rule").get(pk=case.pk)
        if case.state == CaseState.RESOLVED:
            raise ValidationError(_("This case has already been decided."))
        if case.kind != CaseKind.CONTENT:
            raise ValidationError(_("Decide an appeal with the appeal form."))
        if _held_by_other(case, actor, now):
            raise ValidationError(
                _("%(name)s is working on this case.") % {"name": case.claimed_by.public_name}
            )
        adapter = registry.get(case.item_type)
        info = adapter.info(case.item_id)
        author_id = info.author_id if info else case.author_id
        points = rule.strike_points if restricting else 0
        proposed, proposed_days = (
            ladder_proposal(active_points(author_id, now) + points)
            if author_id and restricting
            else (SanctionKind.NONE, None)
        )
        if follow_ladder:
            sanction, sanction_days = proposed, proposed_days
        if (sanction, sanction_days) != (proposed, proposed_days) and not override_reason:
            raise ValidationError(
                {"override_reason": _("Say why you depart from the sanction the ladder proposes.")}
            )
        if sanction != SanctionKind.NONE and author_id is None:
            raise ValidationError({"sanction": _("This content has no author left to sanction.")})
        before = info.visibility if info else GONE
        after = before
        if before != GONE:
            if action == DecisionAction.EDIT:
                adapter.edit(case.item_id, actor=actor, body=body)
            target = {
                DecisionAction.APPROVE: VISIBLE,
                DecisionAction.DISMISS: VISIBLE,
                DecisionAction.EDIT: VISIBLE,
                DecisionAction.REMOVE: REMOVED,
                DecisionAction.REVISE: HELD,
            }[action]
            adapter.set_visibility(case.item_id, target, rule_number=rule.number if rule else None)
            after = target
        decision = Decision.objects.create(
            case=case,
            moderator=actor,
            author_id=author_id,
            action=action,
            rule=rule,
            rule_snapshot=rule.snapshot() if rule else {},
            explanation=explanation,
            facts=_facts(case),
            detected_automatically=bool(set(case.sources) - {Source.FLAG}) and not case.flag_count,
            points=points,
            proposed_sanction=proposed,
            proposed_days=proposed_days,
            sanction=sanction,
            sanction_days=sanction_days,
            override_reason=override_reason if (sanction, sanction_days) != (proposed, proposed_days) else "",
            item_state_before=before,
            item_state_after=after,
        )
        outcome = FlagOutcome.UPHELD if restricting else FlagOutcome.REJECTED
        case.flags.filter(outcome=FlagOutcome.PENDING).update(
            outcome=outcome, decided_at=now, decision=decision
        )
        case.state = CaseState.RESOLVED
        case.resolved_at = now
        case.first_action_at = case.first_action_at or now
        case.claimed_by = case.claimed_until = None
        case.last_decision = decision
        case.save()
        audit_record(
            actor=actor,
            action=action,
            case=case,
            rule_number=rule.number if rule else None,
            before=before,
            after=after,
            decision=decision.pk,
            explanation=explanation[:500],
        )
        if points and author_id:
            strike_add(decision=decision, user_id=author_id, points=points, now=now)
        if sanction != SanctionKind.NONE:
            sanction_apply(
                actor=actor, decision=decision, user_id=author_id, kind=sanction, days=sanction_days, now=now
            )
        if restricting and author_id:
            notice_create(decision=decision)
    return decision


def cases_decide_bulk(
    *, actor: User, cases: list[Case], action: str, rule: NetiquetteRule | None = None, explanation: str = ""
) -> tuple[int, list[str]]:
    """Decide several cases alike, each in its own transaction; returns how many and the refusals.

    A restricting bulk decision adds strike points and applies the sanction the ladder proposes for each
    author; departing from the ladder takes a decision of its own.
    """
    _require_moderator(actor)
    done, refused = 0, []
    for case in cases:
        try:
            case_decide(
                actor=actor,
                case=case,
                action=action,
                rule=rule,
                explanation=explanation,
                sanction=None,
            )
        except ValidationError as exc:
            refused.append(f"#{case.pk}: {' '.join(exc.messages)}")
        else:
            done += 1
    return done, refused
