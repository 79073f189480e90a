"""Full-text search over posts and thread titles, in French and English, accent-insensitive.

The columns (`Post.search_vector`, `Thread.search_vector`) are generated tsvectors made with the
accent-insensitive configurations of `community.text.SEARCH_CONFIGS` (unaccent, then the stemmer); a
query is parsed with both the French and the English one, OR'ed, so that "chats" finds "chat",
"eleve" finds "élève" and "running" finds "run" whatever the language a post was written in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from accounts.permissions import Actor
from community.models import Post, PostState, Space
from community.permissions import visible_spaces_q
from core.shared_pages import digest

QUERY_MIN = 2
QUERY_MAX = 200
PAGE_SIZE = 20
MAX_PAGES = 10
# Ranking (ts_rank) reads every matching row's tsvector: over the hundreds of thousands of posts that
# hold a common word that takes seconds. Only the newest CANDIDATES matches are ranked; they come from
# the GIN index when the words are rare and from a backward walk of the primary key when they are
# common (see PROBE_ROWS below), so a search reads about CANDIDATES / (share of posts matching) rows
# at worst. Measured on 200k posts, 1,000 costs about half the time of 2,000 on common words
# and still leaves five times what the ten pages of PAGE_SIZE results can show.
CANDIDATES = 1000
# Threads found by their title alone add their opening post; each is a random read of an older part of
# the posts table, so fewer are taken (they rank high: the title boost outweighs most text ranks).
TITLE_CANDIDATES = 100
TITLE_BOOST = 0.5
SNIPPET_SOURCE_MAX = 20_000
_SKIP_MAX = 300

# Private-use characters mark the highlighted words in ts_headline's output; they are replaced by
# <mark> only after the text has been escaped. Members cannot smuggle them in: MARKDOWN_PUNCTUATION
# blanks them in the text before the headline is cut.
_START, _STOP, _FRAGMENTS = "\ue000", "\ue001", "\ue002"
# Written so that PostgreSQL's regexp_replace and Python's re read it the same way: link targets,
# image and link brackets, quotes at the start of a line, emphasis, code, headings, tables, rules, and
# the marker characters.
MARKDOWN_PUNCTUATION = r"\]\([^)]*\)|!?\[|(?:^|\n)[ \t]*>+|[]*_`~#|\ue000-\ue002]|-{3,}|={3,}"
_MARKDOWN_RE = re.compile(MARKDOWN_PUNCTUATION)
HEADLINE_OPTIONS = (
    f'StartSel="{_START}", StopSel="{_STOP}", MaxWords=30, MinWords=12, ShortWord=2, '
    f'MaxFragments=2, FragmentDelimiter="{_FRAGMENTS}"'
)

# The query text parsed by both configurations. Written inline (not in a CTE) so that the planner sees
# a constant tsquery and can estimate how common its words are.
_TSQUERY = (
    "(websearch_to_tsquery('agora_french', %(text)s) || websearch_to_tsquery('agora_english', %(text)s))"
)

# Every condition a candidate must meet: visible post, visible thread, a space the viewer may read,
# and the optional filters (a NULL parameter switches its filter off; the planner drops it).
_SCOPE = """
    p.state = %(visible)s AND t.state = %(visible)s AND t.space_id = ANY(%(space_ids)s)
    AND (%(space_id)s::bigint IS NULL OR t.space_id = %(space_id)s)
    AND (%(author_id)s::bigint IS NULL OR p.author_id = %(author_id)s)
    AND (%(after)s::timestamptz IS NULL OR p.created_at >= %(after)s)
    AND (%(before)s::timestamptz IS NULL OR p.created_at < %(before)s)
"""


# A word or phrase held by a few percent of the posts matches tens of thousands of them on a large forum.
# PostgreSQL plans a common single word well (it walks the primary key backwards and checks each row),
# but it takes the words of an AND or a phrase to be independent ("pompe à chaleur": 1,869 matches
# expected, 35,000 found), fetches every match through the GIN index, one scattered heap page each,
# and sorts them to keep the newest CANDIDATES: 150-400 ms on 1M posts. So the statement measures
# instead of estimating: it counts the candidates among the newest PROBE_ROWS posts (~2 ms), and when
# that share promises CANDIDATES within the newest WALK_ROWS posts (at least CANDIDATES / WALK_ROWS,
# 2.5 %), it walks those newest first and checks each row (a contiguous, recently read stretch of the
# table: at most ~30 ms). When the walk is skipped or falls short (rare words; words common only
# lately) the index path runs as before, so the candidates are always exactly the newest CANDIDATES
# matches. Measured on the large seed, bench/search_large.py and docs/benchmarks.md.
PROBE_ROWS = 2000
WALK_ROWS = 40_000
PROBE_HITS = PROBE_ROWS * CANDIDATES // WALK_ROWS
# A function call, not the `@@` operator: the GIN index cannot serve it, so the probe and the walk
# check rows in the primary key's order (and the planner gives it a fixed selectivity, whatever the words).
_ROW_MATCH = f"ts_match_vq(p.search_vector, {_TSQUERY})"
# The newest posts by a backward scan of the primary key, under a LIMIT the planner sees: a bound on
# `id` computed in the statement is estimated as a third of the table, which a count would read in
# full. The walk, ordered by `id` and LIMITed, may use such a bound (post ids are dense; a gap only
# shortens the walk).
_NEWEST = (
    "SELECT id, thread_id, author_id, state, created_at, search_vector"
    " FROM community_post ORDER BY id DESC LIMIT %%(%s)s"
)
_RANK = (
    f"ts_rank(p.search_vector, {_TSQUERY})"
    f" + CASE WHEN t.search_vector @@ {_TSQUERY} THEN %(title_boost)s ELSE 0 END"
)


def _search_sql(post_order: str, thread_order: str) -> str:
    """The statement, composed of the constant fragments above only; every value is a parameter."""
    return f"""
WITH newest AS MATERIALIZED (
    SELECT max(id) AS id FROM community_post
), probe AS MATERIALIZED (
    -- Whether PROBE_HITS of the newest PROBE_ROWS posts are candidates (counting stops there).
    SELECT count(*) AS hits FROM (
        SELECT FROM ({_NEWEST % "probe_rows"}) AS p JOIN community_thread t ON t.id = p.thread_id
        WHERE {_ROW_MATCH} AND {_SCOPE} LIMIT %(probe_hits)s
    ) AS found
), walked AS MATERIALIZED (
    -- The newest candidates, read newest first among the newest WALK_ROWS posts; skipped at once when
    -- the probe found them too rare to fill CANDIDATES there.
    SELECT p.id, {_RANK} AS rank
    FROM community_post p JOIN community_thread t ON t.id = p.thread_id
    WHERE (SELECT hits FROM probe) >= %(probe_hits)s
      AND p.id > (SELECT id FROM newest) - %(walk_rows)s AND {_ROW_MATCH} AND {_SCOPE}
    ORDER BY p.id DESC LIMIT %(candidates)s
), body_hits AS (
    SELECT * FROM walked
    UNION ALL
    -- The newest posts whose text matches, through the GIN index, when the walk fell short.
    (SELECT p.id, {_RANK} AS rank
     FROM community_post p JOIN community_thread t ON t.id = p.thread_id
     WHERE (SELECT count(*) FROM walked) < %(candidates)s AND p.search_vector @@ {_TSQUERY} AND {_SCOPE}
     ORDER BY {post_order} DESC LIMIT %(candidates)s)
), title_hits AS (
    -- The opening posts of the newest threads whose title matches, even when their text does not.
    SELECT p.id, ts_rank(p.search_vector, {_TSQUERY}) + %(title_boost)s AS rank
    FROM community_thread t JOIN community_post p ON p.thread_id = t.id AND p.position = 1
    WHERE t.search_vector @@ {_TSQUERY} AND {_SCOPE}
    ORDER BY {thread_order} DESC LIMIT %(title_candidates)s
), candidates AS (
    SELECT id, max(rank) AS rank FROM (SELECT * FROM body_hits UNION ALL SELECT * FROM title_hits) AS hits
    GROUP BY id ORDER BY id DESC LIMIT %(candidates)s
), ranked AS (
    SELECT id, rank, count(*) OVER () AS total FROM candidates
    ORDER BY rank DESC, id DESC LIMIT %(limit)s OFFSET %(offset)s
)
-- The headline is cut for the rows of the page only.
SELECT r.id, r.total, p.thread_id, p.position, p.created_at, p.body_md, t.title, s.name, s.slug,
       u.id, u.display_name, u.email,
       ts_headline(
           CASE WHEN p.language = 'en' THEN 'agora_english' ELSE 'agora_french' END::regconfig,
           regexp_replace(left(p.body_md, %(snippet_max)s), %(markdown)s, ' ', 'g'),
           {_TSQUERY},
           %(headline_options)s
       ),
       t.archived_at IS NOT NULL
FROM ranked r
JOIN community_post p ON p.id = r.id
JOIN community_thread t ON t.id = p.thread_id
JOIN community_space s ON s.id = t.space_id
LEFT JOIN accounts_user u ON u.id = p.author_id
ORDER BY r.rank DESC, r.id DESC
"""  # noqa: S608


_SEARCH_SQL = _search_sql("p.id", "t.id")
# The planner estimates a phrase ("mise à jour", and hyphenated or apostrophised words, which parse as
# phrases) as if its words were merely all present, so it may expect many matches, walk the primary key
# backwards and read the whole table for a phrase that barely occurs. Ordering by `id + 0` hides the
# key's order and leaves the GIN index: its cost is bounded by the posts holding all the words.
_PHRASE_SEARCH_SQL = _search_sql("p.id + 0", "t.id + 0")
_PHRASE_RE = re.compile(r'"|\w[^\w\s]+\w')


def _statement(text: str) -> str:
    return _PHRASE_SEARCH_SQL if _PHRASE_RE.search(text) else _SEARCH_SQL


@dataclass(frozen=True)
class SearchResult:
    post_id: int
    url: str
    thread_title: str
    space_name: str
    space_slug: str
    author_name: str
    created_at: datetime
    snippet: SafeString
    # The thread is archived: found and readable, closed to replies.
    archived: bool = False


@dataclass(frozen=True)
class SearchPage:
    results: list[SearchResult]
    number: int
    has_next: bool
    # Matches among the ranked candidates; `capped`: the cap was reached, older matches were left out.
    total: int
    capped: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def search_spaces(user: Actor) -> list[Space]:
    """The spaces a viewer may search, for the space filter and to bound the search itself."""
    return list(Space.objects.filter(visible_spaces_q(user)).only("id", "slug", "name"))


def post_search(
    *,
    text: str,
    spaces: list[Space],
    space: Space | None = None,
    author_id: int | None = None,
    after: datetime | None = None,
    before: datetime | None = None,
    page: int = 1,
) -> SearchPage:
    """One page of the posts matching `text` in `spaces` (those the viewer may see), best first.

    One SQL statement, whatever the number of matches.
    """
    page = min(max(page, 1), MAX_PAGES)
    space_ids = [s.pk for s in spaces]
    params = {
        "text": text,
        "visible": PostState.VISIBLE,
        "space_ids": space_ids,
        "space_id": space.pk if space else None,
        "author_id": author_id,
        "after": after,
        "before": before,
        "candidates": CANDIDATES,
        "title_candidates": TITLE_CANDIDATES,
        "probe_rows": PROBE_ROWS,
        "walk_rows": WALK_ROWS,
        "probe_hits": PROBE_HITS,
        "title_boost": TITLE_BOOST,
        "limit": PAGE_SIZE + 1,
        "offset": (page - 1) * PAGE_SIZE,
        "snippet_max": SNIPPET_SOURCE_MAX,
        "markdown": MARKDOWN_PUNCTUATION,
        "headline_options": HEADLINE_OPTIONS,
    }
    if not space_ids:
        return SearchPage(results=[], number=page, has_next=False, total=0, capped=False)
    # Everyone who may read the same spaces gets the same results: they share them for a few seconds,
    # as visitors share whole pages (core/pagecache.py); a popular search costs one statement.
    seconds = settings.SEARCH_RESULTS_SECONDS
    key = "community:search:" + digest(
        translation.get_language(), text.lower(), sorted(space_ids), params["space_id"],
        author_id, after, before, page,
    )  # fmt: skip
    if seconds and (kept := cache.get(key)) is not None:
        return kept
    with connection.cursor() as cursor:
        cursor.execute(_statement(text), params)
        rows = cursor.fetchall()
    results = [_result(row) for row in rows[:PAGE_SIZE]]
    total = rows[0][1] if rows else 0
    found = SearchPage(
        results=results,
        number=page,
        has_next=len(rows) > PAGE_SIZE and page < MAX_PAGES,
        total=total,
        capped=total >= CANDIDATES,
    )
    if seconds:
        cache.set(key, found, timeout=seconds)
    return found


def _result(row: tuple) -> SearchResult:
    (post_id, _total, thread_id, position, created_at, body_md, title, space_name, space_slug) = row[:9]
    author_pk, display_name, email, headline, archived = row[9:]
    if author_pk is None:
        author_name = gettext("Deleted member")
    else:
        author_name = get_user_model()(pk=author_pk, display_name=display_name, email=email).public_name
    post = Post(pk=post_id, thread_id=thread_id, position=position)
    return SearchResult(
        post_id=post_id,
        url=post.get_absolute_url(),
        thread_title=title,
        space_name=space_name,
        space_slug=space_slug,
        author_name=author_name,
        created_at=created_at,
        snippet=snippet_html(body_md, headline),
        archived=archived,
    )


def _plain(body_md: str) -> str:
    """The text the headline was cut from: same regex as the SQL, same length cap."""
    return _MARKDOWN_RE.sub(" ", body_md[:SNIPPET_SOURCE_MAX])


def snippet_html(body_md: str, headline: str) -> SafeString:
    """Escaped snippet with the matched words in <mark>.

    The headline was cut from the member's own text; each fragment is located in it and that span is
    shown, so what ts_headline dropped (anything its parser takes for an HTML tag) is put back. When
    that fails, the fragment is shown as PostgreSQL cut it.
    """
    plain = _plain(body_md)
    pieces = []
    for fragment in headline.split(_FRAGMENTS):
        restored = _restore(fragment, plain)
        pieces.append(" ".join((restored or fragment).split()))
    text = " … ".join(piece for piece in pieces if piece)
    html = escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - built from escaped text; only our own <mark> tags added


def _restore(fragment: str, plain: str) -> str | None:
    """The span of `plain` that `fragment` (with markers) was cut from, with the same markers.

    ts_headline leaves out what its parser takes for HTML tags, so the fragment's characters are
    matched in order against the text (blanks aside) and what lies between them is put back, so
    the result is always one unbroken span of the member's text (escaped later with the rest).
    """
    fragment = fragment.strip()
    bare = fragment.replace(_START, "").replace(_STOP, "")
    if not bare.strip():
        return None
    if bare in plain:  # nothing was left out
        return fragment
    index = plain.find(bare.split(maxsplit=1)[0])
    if index < 0:
        return None
    out, pending = [], ""
    for ch in fragment:
        if ch == _START:
            pending += ch  # opens just before the next matched character, after any skipped text
            continue
        if ch == _STOP:
            out += [pending, ch]  # closes right after the last matched character
            pending = ""
            continue
        if ch.isspace():
            continue
        found = plain.find(ch, index)
        if found < 0 or found - index > _SKIP_MAX:
            return None
        out += [plain[index:found], pending, plain[found]]
        pending, index = "", found + 1
    out.append(pending)
    return "".join(out)
