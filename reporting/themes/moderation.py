"""Moderation: the queue's day (flags, decisions and the time they took, the backlog, appeals, strikes and
sanctions), flags and decisions by netiquette rule, and each moderator's day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moderation.models import (
    Appeal,
    AppealOutcome,
    Case,
    Decision,
    DecisionAction,
    Flag,
    NetiquetteRule,
    Sanction,
    SanctionKind,
    Strike,
)
from reporting.models import ModerationDay, ModerationRuleDay, ModeratorDay
from reporting.reports import Column, Report, Table, by_day, ratio, report_register
from reporting.services.rollups import count_by_day, days, in_range, quantile, start_of, theme_register

# The day's count of each decision, by the column that holds it.
ACTION_COLUMNS = {
    DecisionAction.APPROVE: "approved",
    DecisionAction.DISMISS: "dismissed",
    DecisionAction.REMOVE: "removed",
    DecisionAction.EDIT: "edited",
    DecisionAction.REVISE: "revised",
}
SANCTION_COLUMNS = {
    SanctionKind.WARNING: "warnings",
    SanctionKind.SUSPENSION: "suspensions",
    SanctionKind.BAN: "bans",
}


def _minutes_to_decide(decision: Mapping[str, Any]) -> float | None:
    """From the first flag the decision settled (else the case's first flag, else its opening) to the
    decision. A reopened case keeps only its last opening: an earlier decision without flags is not timed."""
    started = decision["first_flag"] or decision["case__first_flag_at"] or decision["case__opened_at"]
    if started is None or started > decision["created_at"]:
        return None
    return (decision["created_at"] - started).total_seconds() / 60


def _decisions(first_day: date, last_day: date) -> list[dict]:
    first_flag = Flag.objects.filter(decision=OuterRef("pk")).order_by("created_at").values("created_at")[:1]
    tz = timezone.get_default_timezone()
    decisions = (
        Decision.objects.filter(in_range("created_at", first_day, last_day))
        .annotate(day=TruncDate("created_at", tzinfo=tz), first_flag=Subquery(first_flag))
        .values(
            "day", "action", "moderator_id", "rule__number", "created_at", "first_flag",
            "case__first_flag_at", "case__opened_at",
        )
    )  # fmt: skip
    return [{**decision, "minutes": _minutes_to_decide(decision)} for decision in decisions]


def _backlog(first_day: date, last_day: date) -> dict[date, tuple[int, float | None]]:
    """Per day: cases open or claimed at its end (opened before it, not resolved by it) and the age in
    hours of the oldest of them. Today's end is now."""
    now = timezone.now()
    cases = Case.objects.filter(opened_at__lt=start_of(last_day + timedelta(days=1))).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=start_of(first_day + timedelta(days=1)))
    )
    spans: list[tuple[datetime, datetime | None]] = list(cases.values_list("opened_at", "resolved_at"))
    found = {}
    for day in days(first_day, last_day):
        end = min(start_of(day + timedelta(days=1)), now)
        waiting = [opened for opened, resolved in spans if opened < end and not (resolved and resolved < end)]
        oldest = (end - min(waiting)).total_seconds() / 3600 if waiting else None
        found[day] = (len(waiting), oldest)
    return found


def moderation_rollup(first_day: date, last_day: date) -> int:
    """Per day: flags received; decisions taken, by action; the median and 90th percentile of the minutes
    from a case's first flag (else its opening) to its decision; the backlog at the end of the day (cases
    open or claimed: opened before the day's end and not resolved by it) and the age in hours of its
    oldest case; appeals filed, decided and upheld (the decision reversed); strike points given (one per
    strike); sanctions by kind. Also flags and decisions by rule and action, and per moderator their
    decisions, median minutes to decide and appeals upheld against their decisions that day. A case
    reopened keeps only its last opening, so the backlog of days before that reopening may be low."""
    decisions = _decisions(first_day, last_day)
    by_day_decisions: dict[date, list[dict]] = defaultdict(list)
    for decision in decisions:
        by_day_decisions[decision["day"]].append(decision)
    flags = count_by_day(Flag.objects.all(), "created_at", first_day, last_day, "rule__number")
    appeals = Appeal.objects.all()
    filed = count_by_day(appeals, "created_at", first_day, last_day)
    decided = count_by_day(appeals, "decided_at", first_day, last_day)
    upheld = appeals.filter(outcome=AppealOutcome.UPHELD)
    overturned = count_by_day(upheld, "decided_at", first_day, last_day, "decision__moderator_id")
    strikes = count_by_day(Strike.objects.all(), "created_at", first_day, last_day)
    sanctions = count_by_day(Sanction.objects.all(), "starts_at", first_day, last_day, "kind")
    backlog = _backlog(first_day, last_day)

    rows = []
    for day in days(first_day, last_day):
        taken = by_day_decisions[day]
        minutes = sorted(d["minutes"] for d in taken if d["minutes"] is not None)
        row = ModerationDay(
            day=day, flags=sum(n for (flag_day, _rule), n in flags.items() if flag_day == day),
            decisions=len(taken), timed=len(minutes), decide_median=quantile(minutes, 0.5),
            decide_p90=quantile(minutes, 0.9), backlog=backlog[day][0], backlog_oldest_hours=backlog[day][1],
            appeals_filed=filed.get(day, 0), appeals_decided=decided.get(day, 0),
            appeals_overturned=sum(n for (when, _moderator), n in overturned.items() if when == day),
            strikes=strikes.get(day, 0),
        )  # fmt: skip
        for action, column in ACTION_COLUMNS.items():
            setattr(row, column, sum(1 for d in taken if d["action"] == action))
        for kind, column in SANCTION_COLUMNS.items():
            setattr(row, column, sanctions.get((day, kind), 0))
        rows.append(row)

    by_rule: dict[tuple[date, int | None, str], dict[str, int]] = defaultdict(
        lambda: {"flags": 0, "decisions": 0}
    )
    for (day, number), n in flags.items():
        by_rule[(day, number, "")]["flags"] += n
    for decision in decisions:
        by_rule[(decision["day"], decision["rule__number"], decision["action"])]["decisions"] += 1

    moderators: dict[tuple[date, int], list[dict]] = defaultdict(list)
    for decision in decisions:
        if decision["moderator_id"] is not None:
            moderators[(decision["day"], decision["moderator_id"])].append(decision)
    for day, moderator in overturned:
        if moderator is not None:
            moderators.setdefault((day, moderator), [])
    moderator_rows = []
    for (day, moderator), taken in moderators.items():
        minutes = sorted(d["minutes"] for d in taken if d["minutes"] is not None)
        moderator_rows.append(
            ModeratorDay(
                day=day, moderator_id=moderator, decisions=len(taken), minutes_median=quantile(minutes, 0.5),
                overturned=overturned.get((day, moderator), 0),
            )
        )  # fmt: skip

    for model in (ModerationDay, ModerationRuleDay, ModeratorDay):
        model.objects.filter(day__gte=first_day, day__lte=last_day).delete()
    ModerationDay.objects.bulk_create(rows)
    ModerationRuleDay.objects.bulk_create(
        [
            ModerationRuleDay(day=day, rule_number=number, action=action, **n)
            for (day, number, action), n in by_rule.items()
        ]
    )
    ModeratorDay.objects.bulk_create(moderator_rows)
    return len(rows) + len(by_rule) + len(moderator_rows)


theme_register("moderation", moderation_rollup)


# The report ---------------------------------------------------------------------------------------


def _rule_label(number: int | None, title_fr: str | None, title_en: str | None) -> str:
    """The rule's number and title in the reader's language (NetiquetteRule.title chooses it)."""
    if number is None:
        return str(_("No rule cited"))
    return str(NetiquetteRule(number=number, title_fr=title_fr or "", title_en=title_en or ""))


def _tables(start: date, end: date, space: int | None) -> list[Table]:
    """Flags by rule, decisions by rule and action, and per moderator: two queries on the rollups (the
    rules' titles read along, by number)."""
    rule = NetiquetteRule.objects.filter(number=OuterRef("rule_number"))
    by_rule = (
        ModerationRuleDay.objects.filter(day__gte=start, day__lte=end)
        .values("rule_number", "action")
        .annotate(
            flags=Sum("flags"), decisions=Sum("decisions"),
            title_fr=Subquery(rule.values("title_fr")[:1]), title_en=Subquery(rule.values("title_en")[:1]),
        )
        .order_by(F("rule_number").asc(nulls_last=True), "action")
    )  # fmt: skip
    flagged: dict[str, int] = defaultdict(int)
    crossed: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ACTION_COLUMNS, 0))
    for row in by_rule:
        label = _rule_label(row["rule_number"], row["title_fr"], row["title_en"])
        if row["action"]:
            crossed[label][row["action"]] += row["decisions"]
        else:
            flagged[label] += row["flags"]
    per_moderator = (
        ModeratorDay.objects.filter(day__gte=start, day__lte=end)
        .values("moderator__handle")
        .annotate(
            taken=Sum("decisions"), reversed=Sum("overturned"),
            weighed=Sum(F("minutes_median") * F("decisions")),
            timed=Sum("decisions", filter=Q(minutes_median__isnull=False)),
        )
        .order_by("-taken", "moderator__handle")
    )  # fmt: skip
    return [
        Table(
            _("Flags by netiquette rule"),
            [_("Rule"), _("Flags")],
            sorted(flagged.items(), key=lambda item: -item[1]),
        ),
        Table(
            _("Decisions by rule and action"),
            [_("Rule"), *[DecisionAction(action).label for action in ACTION_COLUMNS], _("All")],
            [(label, *counts.values(), sum(counts.values())) for label, counts in crossed.items()],
        ),
        Table(
            _("Decisions by moderator"),
            [_("Moderator"), _("Decisions"), _("Median minutes to decide"), _("Reversed on appeal")],
            [
                (
                    f"@{row['moderator__handle']}",
                    row["taken"],
                    round(row["weighed"] / row["timed"]) if row["timed"] else "—",
                    row["reversed"],
                )
                for row in per_moderator
            ],
        ),
    ]


FIELDS = [f.name for f in ModerationDay._meta.fields if f.name not in ("id", "day")]

report_register(
    Report(
        key="moderation",
        title=_("Moderation"),
        definition=_(
            "Flags: reports by members citing a netiquette rule, on the day they were made. Decisions: those "
            "taken on cases that day, by action (appeals are counted apart). Minutes to decide: from the "
            "first flag the decision settled (else the case's first flag, else its opening) to the decision; "
            "a reopened case counts from its reopening. Backlog: cases open or claimed at the end of the day "
            "(opened before it and not resolved by it, appeals included), and the age in hours of the "
            "oldest; "
            "for the period, those of its last day. Appeals filed, decided, and upheld (the decision "
            "reversed). Strikes given and sanctions applied. For the period, the medians are the days' "
            "medians averaged, weighted by the decisions they time: an approximation. The tables count the "
            "period's flags by the rule they cite, its decisions by rule and action, and each moderator's "
            "decisions with the appeals upheld against them."
        ),
        columns=[
            Column("flags", _("Flags received")),
            Column("decisions", _("Decisions")),
            Column("approved", _("Approved"), chart=False),
            Column("dismissed", _("Flags dismissed"), chart=False),
            Column("removed", _("Removed"), chart=False),
            Column("edited", _("Edited and approved"), chart=False),
            Column("revised", _("Revision asked"), chart=False),
            Column("decide_median", _("Median minutes to decide"), total="weighted", weight="timed"),
            Column(
                "decide_p90", _("90% decided within (minutes)"), total="weighted", weight="timed", chart=False
            ),
            Column("backlog", _("Backlog at the end of the day"), total="last"),
            Column("backlog_oldest_hours", _("Oldest case waiting (hours)"), total="last", chart=False),
            Column("appeals_filed", _("Appeals filed"), chart=False),
            Column("appeals_decided", _("Appeals decided"), chart=False),
            Column("appeals_overturned", _("Decisions reversed on appeal"), chart=False),
            Column("strikes", _("Strikes given"), chart=False),
            Column("warnings", _("Warnings"), chart=False),
            Column("suspensions", _("Suspensions"), chart=False),
            Column("bans", _("Bans"), chart=False),
        ],
        read=by_day(ModerationDay, FIELDS),
        tables=_tables,
        derived=[
            (
                "overturned_share",
                _("Share of appeals upheld (%)"),
                ratio("appeals_overturned", "appeals_decided", 100),
            )
        ],
    )
)
