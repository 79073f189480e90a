"""The large benchmark community: ≥ 100k members, 50k threads and 1M posts, loaded in minutes.

Rows are generated as a stream and written with PostgreSQL COPY (memory stays bounded: nothing holds the
posts, only per-thread plans). The load follows PostgreSQL's "Populating a database" advice: secondary
indexes and foreign keys of the loaded tables are dropped first and rebuilt at the end, in the same
transaction, so a failure leaves nothing behind. Reactions and notifications are derived from the loaded
posts with INSERT … SELECT, counters with a few set-based UPDATE … FROM (SELECT … GROUP BY).

Post HTML is never rendered per row: posts are assembled from fragments whose HTML was rendered once by
render_markdown (see community.seeding.corpus), so body_html is exactly what the services would store.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.text import slugify

from community.models import Space, Visibility
from community.seeding import corpus
from community.services.archiving import space_months_recount

DAY = 86_400.0
HISTORY_DAYS = 730
MEMBER_PASSWORD = "agora-bench"  # noqa: S105 - benchmark data only; printed by the command
EMAIL_TEMPLATE = "user{n}@example.com"
FIRST_EMAIL = EMAIL_TEMPLATE.format(n=1)


@dataclass(frozen=True)
class Sizes:
    members: int = 100_000
    threads: int = 50_000
    posts: int = 1_000_000


# How threads spread over the spaces (relative weights).
SPACE_WEIGHTS = {
    "entraide": 26, "support-technique": 18, "idees": 10, "cafe": 10, "astuces": 9, "english-corner": 6,
    "evenements": 4, "annonces": 1.5, "ambassadeurs": 1.5, "equipe": 0.5,
}  # fmt: skip
# The longest threads: (share of all posts, space, title).
GIANTS = [
    (0.012, "cafe", "Le fil du café : dites bonjour en passant"),
    (0.008, "idees", "Vos idées pour la prochaine version de l'application"),
    (0.006, "entraide", "Firmware 4.2 : tous vos retours dans ce fil"),
]
SOLVABLE = {"entraide", "support-technique", "english-corner"}
INTRODUCTION_SHARE = 0.08
BIG_SHARE = 0.004  # threads of 500–5,000 posts (at 1M posts)
MEDIUM_SHARE = 0.02  # threads of 21–499 posts
SMALL_MAX = 20

# The tables the load writes: their secondary indexes and foreign keys are rebuilt after the load.
LOADED_TABLES = [
    "accounts_user", "account_emailaddress", "community_memberstate", "community_thread", "community_post",
    "community_reaction", "community_notification",
]  # fmt: skip


@dataclass(slots=True)
class ThreadPlan:
    space_slug: str
    language: str
    size: int
    created: float
    end: float
    author: int  # member number, 0-based
    title: str
    kind: str  # "giant", "big", "medium", "small" or "introduction"
    pinned: bool = False
    featured: bool = False
    locked: bool = False


class Progress:
    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        self.say(f"[{time.monotonic() - self.started:7.1f} s] {message}")

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


def thread_sizes(*, threads: int, posts: int, rng: random.Random) -> dict[str, list[int]]:
    """Post counts per thread, by kind, adding up to `posts` exactly: most threads 1–20 posts, a few
    hundred of 500–5,000 and three giants (the bounds scale with `posts`, so small runs stay consistent)."""
    if threads < 1 or posts < threads:
        raise ValueError("there must be at least one thread and one post per thread")
    n_intro = int(threads * INTRODUCTION_SHARE)
    sizes: dict[str, list[int]] = {"introduction": [rng.randint(1, 6) for _ in range(n_intro)]}
    if sum(sizes["introduction"]) > posts - (threads - n_intro):
        sizes["introduction"] = [1] * n_intro
    rest_threads = threads - n_intro
    rest_posts = posts - sum(sizes["introduction"])

    def log_uniform(low: float, high: float) -> int:
        return round(math.exp(rng.uniform(math.log(low), math.log(high))))

    fixed = {
        "giant": [max(1, round(posts * share)) for share, _, _ in GIANTS] if rest_threads >= 20 else [],
        "big": [log_uniform(posts * 0.0005, posts * 0.005) for _ in range(int(threads * BIG_SHARE))],
        "medium": [log_uniform(SMALL_MAX + 1, 499) for _ in range(int(threads * MEDIUM_SHARE))],
    }
    n_small = rest_threads - sum(len(v) for v in fixed.values())
    room = rest_posts - n_small  # every small thread keeps at least its first post
    total_fixed = sum(sum(v) for v in fixed.values())
    if total_fixed > room:
        factor = room / total_fixed
        fixed = {kind: [max(1, int(size * factor)) for size in v] for kind, v in fixed.items()}
        total_fixed = sum(sum(v) for v in fixed.values())
    sizes.update(fixed)
    remaining = rest_posts - total_fixed
    mean = remaining / n_small if n_small else 0
    small = [min(SMALL_MAX, 1 + int(rng.expovariate(1 / max(mean - 0.5, 0.01)))) for _ in range(n_small)]
    diff = remaining - sum(small)
    # Nudge random threads up or down until the total is exact; what 1–20 cannot hold goes to the longest.
    if diff > 0 and diff >= SMALL_MAX * n_small - sum(small):
        for i in range(n_small):
            diff -= SMALL_MAX - small[i]
            small[i] = SMALL_MAX
        longest = max((v for v in fixed.values() if v), key=max, default=None)
        if longest is None:
            raise ValueError("too many posts for so few threads")
        longest[longest.index(max(longest))] += diff
        diff = 0
    while diff:
        i = rng.randrange(n_small)
        if diff > 0 and small[i] < SMALL_MAX:
            small[i] += 1
            diff -= 1
        elif diff < 0 and small[i] > 1:
            small[i] -= 1
            diff += 1
    sizes["small"] = small
    return sizes


class LargeSeed:
    def __init__(self, *, sizes: Sizes, say: Callable[[str], None], seed: int = 2026) -> None:
        self.sizes = sizes
        self.progress = Progress(say)
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        self.corpus = corpus.Corpus(self.rng)
        self.now = time.time()
        self.start = self.now - HISTORY_DAYS * DAY
        # Members join over the whole history (and a month before it), in id order.
        self.join_start = self.start - 30 * DAY
        self.join_span = self.now - DAY - self.join_start
        self.first_slugs = [slugify(name).replace("-", ".") for name in corpus.FIRST_NAMES]
        self.last_slugs = [slugify(name).replace("-", ".") for name in corpus.LAST_NAMES]

    # Members -------------------------------------------------------------------------------------

    def joined_at(self, member: int) -> float:
        return self.join_start + member * self.join_span / self.sizes.members

    def members_before(self, moment: float) -> int:
        count = int((moment - self.join_start) / self.join_span * self.sizes.members)
        return min(self.sizes.members, max(1, count))

    def poster(self, moment: float) -> int:
        """A member who had joined by then; early members post more (the community's regulars)."""
        return int(self.members_before(moment) * self.rng.random() ** 2)

    def names(self, member: int) -> tuple[int, int]:
        return member % len(corpus.FIRST_NAMES), (member * 7 + member // 97) % len(corpus.LAST_NAMES)

    def member_language(self, member: int) -> str:
        return "en" if member % 9 == 0 else "fr"

    # Plans ---------------------------------------------------------------------------------------

    def plan(self, spaces: dict[str, Space]) -> list[ThreadPlan]:
        rng, now, start = self.rng, self.now, self.start
        sizes = thread_sizes(threads=self.sizes.threads, posts=self.sizes.posts, rng=rng)
        weighted = [slug for slug in SPACE_WEIGHTS if slug in spaces]
        weights = [SPACE_WEIGHTS[slug] for slug in weighted]
        plans: list[ThreadPlan] = []

        intro_slug = next(slug for slug, space in spaces.items() if space.is_introductions)
        newcomers = rng.sample(range(self.sizes.members), len(sizes["introduction"]))
        for member, size in zip(newcomers, sizes["introduction"], strict=True):
            created = min(now - 3600, self.joined_at(member) + rng.uniform(0.05, 2) * DAY)
            language = self.member_language(member)
            first = corpus.FIRST_NAMES[self.names(member)[0]]
            title = f"Bonjour, je suis {first} !" if language == "fr" else f"Hi, I'm {first}!"
            end = min(now - 60, created + rng.uniform(0.1, 4) * DAY)
            plans.append(ThreadPlan(intro_slug, language, size, created, end, member, title, "introduction"))

        for (_, slug, title), size in zip(GIANTS, sizes["giant"], strict=False):
            created = start + rng.uniform(0, 30) * DAY
            author = self.poster(created)
            plans.append(
                ThreadPlan(slug, "fr", size, created, now - 600, author, title, "giant", pinned=True)
            )
        for kind in ("big", "medium", "small"):
            for size in sizes[kind]:
                slug = rng.choices(weighted, weights)[0]
                language = "en" if slug == "english-corner" or rng.random() < 0.08 else "fr"
                if kind == "big":
                    created = start + rng.uniform(0, 365) * DAY
                    end = now - rng.uniform(0, 2) * DAY
                elif kind == "medium":
                    created = start + rng.uniform(0, HISTORY_DAYS - 60) * DAY
                    end = min(now - 60, created + rng.uniform(20, 180) * DAY)
                else:
                    created = start + rng.uniform(0, HISTORY_DAYS) * DAY
                    end = min(now - 60, created + rng.expovariate(1 / 5) * DAY)
                created = min(created, now - 3600)
                plan = ThreadPlan(
                    slug, language, size, created, max(end, created), self.poster(created),
                    self.corpus.title(language), kind,
                )  # fmt: skip
                plan.pinned = rng.random() < 0.0005
                plan.featured = slug in {"annonces", "evenements", "idees"} and rng.random() < 0.004
                plan.locked = created < now - 365 * DAY and rng.random() < 0.003
                plans.append(plan)
        # Ids follow creation time, as they would have.
        plans.sort(key=lambda p: p.created)
        return plans

    # Load ----------------------------------------------------------------------------------------

    def run(self, *, spaces: dict[str, Space], staff_ids: list[int]) -> dict[str, int]:
        """Load everything in one transaction; return the row counts written per table."""
        progress = self.progress
        plans = self.plan(spaces)
        progress(f"planned {len(plans):,} threads")
        counts: dict[str, int] = {}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SET LOCAL synchronous_commit = off")
            # Check what an enclosing transaction left deferred: tables with pending checks cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            rebuild = self.drop_indexes_and_keys(cursor)
            progress(f"dropped {len(rebuild)} secondary indexes and foreign keys for the load")
            user_base = self.reserve_ids(cursor, "accounts_user", self.sizes.members)
            email_base = self.reserve_ids(cursor, "account_emailaddress", self.sizes.members)
            thread_base = self.reserve_ids(cursor, "community_thread", len(plans))
            post_base = self.reserve_ids(cursor, "community_post", self.sizes.posts)
            counts["members"] = self.copy_members(cursor, user_base, email_base)
            progress(f"copied {counts['members']:,} members, their e-mail addresses and member states")
            counts["threads"] = self.copy_threads(cursor, plans, spaces, user_base, thread_base, post_base)
            progress(f"copied {counts['threads']:,} threads")
            counts["posts"] = self.copy_posts(
                cursor, plans, spaces, staff_ids, user_base, thread_base, post_base
            )
            progress(f"copied {counts['posts']:,} posts")
            counts["reactions"] = self.insert_reactions(cursor, user_base, post_base)
            progress(f"inserted {counts['reactions']:,} reactions")
            counts["notifications"] = self.insert_notifications(cursor, post_base)
            progress(f"inserted {counts['notifications']:,} notifications")
            self.update_counters(cursor, spaces, user_base, thread_base, post_base)
            # The archive's threads per space and month, counted as the services keep them.
            space_months_recount()
            progress("counters set")
            for statement in rebuild:
                cursor.execute(statement)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            progress(f"rebuilt {len(rebuild)} indexes and foreign keys")
        # VACUUM sets the visibility map (index-only scans) and drops the counters' old row versions;
        # it cannot run inside a transaction (a caller's, or a test's), where ANALYZE alone does.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for table in [*LOADED_TABLES, "community_space"]:
                cursor.execute(f"{command} {table}")
        progress(f"{command} done")
        return counts

    def drop_indexes_and_keys(self, cursor) -> list[str]:
        """Drop the loaded tables' foreign keys and non-unique indexes; return the statements that
        recreate them. Primary keys and unique constraints stay: they guard the load itself."""
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
            """,
            [LOADED_TABLES],
        )
        keys = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(ix.indexrelid)
            FROM pg_index ix
            JOIN pg_class i ON i.oid = ix.indexrelid
            JOIN pg_class t ON t.oid = ix.indrelid
            WHERE t.relname = ANY(%s) AND NOT ix.indisprimary AND NOT ix.indisunique
            """,
            [LOADED_TABLES],
        )
        indexes = cursor.fetchall()
        for table, name, _ in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        return [definition for _, definition in indexes] + [
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in keys
        ]

    def reserve_ids(self, cursor, table: str, count: int) -> int:
        """The first of `count` consecutive ids, taken from the table's sequence (moved past them)."""
        next_id = "GREATEST(nextval(pg_get_serial_sequence(%s, 'id')), COALESCE(MAX(id), 0) + 1)"
        cursor.execute(f"SELECT {next_id} FROM {table}", [table])  # noqa: S608 - one of LOADED_TABLES
        first = cursor.fetchone()[0]
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + max(count, 1) - 1]
        )
        return first

    @staticmethod
    def _copy(cursor, table: str, columns: list[str], rows: Iterator[tuple]) -> int:
        written = 0
        names = ", ".join(f'"{column}"' for column in columns)
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
        return written

    def copy_members(self, cursor, user_base: int, email_base: int) -> int:
        password = make_password(MEMBER_PASSWORD)
        members = self.sizes.members
        first_names, last_names = corpus.FIRST_NAMES, corpus.LAST_NAMES

        def users() -> Iterator[tuple]:
            for member in range(members):
                first, last = self.names(member)
                n = member + 1
                yield (
                    user_base + member, password, False, EMAIL_TEMPLATE.format(n=n),
                    f"{first_names[first]} {last_names[last]}", "", self.member_language(member), "",
                    False, True, datetime.fromtimestamp(self.joined_at(member), UTC), "",
                    f"{self.first_slugs[first]}.{self.last_slugs[last]}.{n}",
                )  # fmt: skip

        written = self._copy(
            cursor,
            "accounts_user",
            ["id", "password", "is_superuser", "email", "display_name", "bio", "language", "time_zone",
             "is_staff", "is_active", "date_joined", "avatar_version", "handle"],
            users(),
        )  # fmt: skip
        self._copy(
            cursor,
            "account_emailaddress",
            ["id", "email", "verified", "primary", "user_id"],
            (
                (email_base + m, EMAIL_TEMPLATE.format(n=m + 1), True, True, user_base + m)
                for m in range(members)
            ),
        )
        digests = ["weekly"] * 6 + ["daily", "never"]
        self._copy(
            cursor,
            "community_memberstate",
            ["user_id", "email_on_mention", "email_on_reply", "digest", "post_count", "onboarding_dismissed"],
            ((user_base + m, True, m % 5 != 0, digests[m % 8], 0, m % 3 == 0) for m in range(members)),
        )
        return written

    def copy_threads(self, cursor, plans, spaces, user_base: int, thread_base: int, post_base: int) -> int:
        rng = self.rng

        def rows() -> Iterator[tuple]:
            first_post = post_base
            for index, plan in enumerate(plans):
                created = datetime.fromtimestamp(plan.created, UTC)
                solution = None
                if plan.space_slug in SOLVABLE and plan.size >= 3 and rng.random() < 0.35:
                    solution = first_post + 1 + rng.randrange(min(3, plan.size - 1))
                featured = datetime.fromtimestamp(plan.created + 3600, UTC) if plan.featured else None
                yield (
                    thread_base + index, spaces[plan.space_slug].pk, plan.title, user_base + plan.author,
                    plan.pinned, plan.locked, featured, "visible", solution, 0, 0, created,
                    plan.size * rng.randint(4, 40), created,
                )  # fmt: skip
                first_post += plan.size

        return self._copy(
            cursor,
            "community_thread",
            ["id", "space_id", "title", "author_id", "pinned", "locked", "featured_at", "state",
             "solution_id", "post_count", "last_position", "last_activity_at", "view_count", "created_at"],
            rows(),
        )  # fmt: skip

    def copy_posts(self, cursor, plans, spaces, staff_ids, user_base, thread_base, post_base) -> int:
        rng, progress = self.rng, self.progress
        step = max(100_000, self.sizes.posts // 10)

        def rows() -> Iterator[tuple]:
            post_id = post_base
            for index, plan in enumerate(plans):
                thread_id = thread_base + index
                first_id = post_id
                moment = plan.created
                gap = (plan.end - plan.created) / max(1, plan.size - 1)
                staff_only = spaces[plan.space_slug].visibility == Visibility.STAFF and staff_ids
                for position in range(1, plan.size + 1):
                    if position == 1:
                        author = user_base + plan.author
                        text = (
                            corpus.introduction(rng, plan.language)
                            if plan.kind == "introduction"
                            else self.corpus.post(plan.language, snippet_rate=0.25)
                        )
                    else:
                        moment = min(self.now - 1, moment + gap * rng.expovariate(1))
                        author = user_base + self.poster(moment)
                        if plan.kind == "introduction":
                            text = corpus.welcome(rng, plan.language)
                        else:
                            text = self.corpus.post(plan.language)
                    if staff_only:
                        author = rng.choice(staff_ids)
                    reply_to = (
                        first_id + rng.randrange(position - 1)
                        if position > 2 and rng.random() < 0.08
                        else None
                    )
                    yield (
                        post_id, thread_id, position, author, reply_to, text.md, text.html, plan.language,
                        "visible", False, 0, 0, 0, datetime.fromtimestamp(moment, UTC),
                    )  # fmt: skip
                    post_id += 1
                    if (post_id - post_base) % step == 0:
                        progress(f"  … {post_id - post_base:,} posts")

        return self._copy(
            cursor,
            "community_post",
            ["id", "thread_id", "position", "author_id", "reply_to_id", "body_md", "body_html", "language",
             "state", "is_first_of_member", "like_count", "helpful_count", "edit_count", "created_at"],
            rows(),
        )  # fmt: skip

    def insert_reactions(self, cursor, user_base: int, post_base: int) -> int:
        """About 0.3 reactions per post: first posts get up to five, a few replies one or two.

        Reactors are spread over the members by hashing; distinct per post because the stride is
        coprime with the number of members."""
        members = self.sizes.members
        stride = next(p for p in (7919, 7907, 7901, 7883) if math.gcd(p, members) == 1) % members or 1
        cursor.execute(
            """
            INSERT INTO community_reaction (post_id, user_id, kind, created_at)
            SELECT r.post_id, r.user_id, r.kind, r.created_at FROM (
                SELECT p.id AS post_id, p.author_id,
                       %(user_base)s + ((abs(hashint8(p.id)::bigint) + g * %(stride)s) %% %(members)s)
                           AS user_id,
                       CASE WHEN (p.id + g) %% 4 = 0 THEN 'helpful' ELSE 'like' END AS kind,
                       LEAST(now(), p.created_at
                             + make_interval(mins => (abs(hashint8(p.id + g)::bigint) %% 4320)::int))
                           AS created_at
                FROM community_post p
                CROSS JOIN LATERAL generate_series(1, CASE
                    WHEN p.position = 1 THEN abs(hashint8(-p.id)::bigint) %% 6
                    WHEN abs(hashint8(-p.id)::bigint) %% 100 < 12
                        THEN 1 + abs(hashint8(p.id * 3)::bigint) %% 2
                    ELSE 0 END) AS g
                WHERE p.id >= %(post_base)s
            ) r
            WHERE r.user_id IS DISTINCT FROM r.author_id
            """,
            {"user_base": user_base, "stride": stride, "members": members, "post_base": post_base},
        )
        return cursor.rowcount

    def insert_notifications(self, cursor, post_base: int) -> int:
        """Reply notifications to thread authors for about one reply in five; older ones read."""
        cursor.execute(
            """
            INSERT INTO community_notification
                (recipient_id, kind, actor_id, thread_id, post_id, subject, link, created_at, read_at)
            SELECT t.author_id, 'reply', p.author_id, p.thread_id, p.id, '', '', p.created_at,
                   CASE WHEN p.created_at < now() - interval '20 days' OR p.id %% 2 = 0
                        THEN LEAST(now(), p.created_at + interval '5 hours') END
            FROM community_post p
            JOIN community_thread t ON t.id = p.thread_id
            WHERE p.id >= %(post_base)s AND p.position > 1 AND p.author_id <> t.author_id
              AND abs(hashint8(p.id * 7)::bigint) %% 1000 < 215
            """,
            {"post_base": post_base},
        )
        return cursor.rowcount

    def update_counters(
        self, cursor, spaces: dict[str, Space], user_base: int, thread_base: int, post_base: int
    ) -> None:
        intro = next((space.pk for space in spaces.values() if space.is_introductions), 0)
        cursor.execute(
            """
            UPDATE community_thread t
            SET post_count = s.n, last_position = s.last, last_activity_at = s.last_at,
                last_poster_id = lp.author_id,
                welcomed_at = CASE WHEN t.space_id = %(intro)s THEN s.second_at END
            FROM (
                SELECT thread_id, count(*) AS n, max(position) AS last, max(created_at) AS last_at,
                       min(created_at) FILTER (WHERE position = 2) AS second_at
                FROM community_post WHERE thread_id >= %(thread_base)s GROUP BY thread_id
            ) s
            JOIN community_post lp ON lp.thread_id = s.thread_id AND lp.position = s.last
            WHERE t.id = s.thread_id
            """,
            {"intro": intro, "thread_base": thread_base},
        )
        cursor.execute(
            """
            UPDATE community_post p SET like_count = r.likes, helpful_count = r.helpful
            FROM (
                SELECT post_id, count(*) FILTER (WHERE kind = 'like') AS likes,
                       count(*) FILTER (WHERE kind = 'helpful') AS helpful
                FROM community_reaction WHERE post_id >= %(post_base)s GROUP BY post_id
            ) r
            WHERE p.id = r.post_id
            """,
            {"post_base": post_base},
        )
        # A newcomer's first post is their earliest one (the loaded members have no older posts).
        cursor.execute(
            """
            UPDATE community_post p SET is_first_of_member = true
            FROM (
                SELECT DISTINCT ON (author_id) id FROM community_post
                WHERE author_id >= %(user_base)s AND id >= %(post_base)s
                ORDER BY author_id, created_at, id
            ) f
            WHERE p.id = f.id
            """,
            {"user_base": user_base, "post_base": post_base},
        )
        cursor.execute(
            """
            UPDATE community_memberstate m
            SET post_count = s.n, first_reply_at = s.first_reply
            FROM (
                SELECT p.author_id, count(*) AS n,
                       min(p.created_at) FILTER (WHERE t.author_id IS DISTINCT FROM p.author_id)
                           AS first_reply
                FROM community_post p JOIN community_thread t ON t.id = p.thread_id
                WHERE p.state = 'visible' GROUP BY p.author_id
            ) s
            WHERE m.user_id = s.author_id
            """
        )
        cursor.execute(
            """
            UPDATE community_memberstate m SET introduction_id = t.id
            FROM community_thread t
            WHERE t.space_id = %(intro)s AND t.author_id = m.user_id AND t.id >= %(thread_base)s
              AND m.introduction_id IS NULL
            """,
            {"intro": intro, "thread_base": thread_base},
        )
        cursor.execute(
            """
            UPDATE community_space sp
            SET thread_count = s.n, post_count = s.posts, last_activity_at = s.last_at
            FROM (
                SELECT space_id, count(*) AS n, sum(post_count) AS posts, max(last_activity_at) AS last_at
                FROM community_thread WHERE state = 'visible' GROUP BY space_id
            ) s
            WHERE sp.id = s.space_id
            """
        )
