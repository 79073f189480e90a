"""Search: French and English, accent-insensitive, ranked, highlighted, filtered, and visibility-aware."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Post, PostState, Space, Thread, Visibility
from community.selectors.search import PAGE_SIZE, snippet_html
from community.text import render_markdown
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

_slugs = itertools.count()


def make_space(*, visibility: str = Visibility.PUBLIC, name: str | None = None) -> Space:
    number = next(_slugs)
    return Space.objects.create(name=name or f"Space {number}", slug=f"space-{number}", visibility=visibility)


def make_thread(space: Space, title: str = "Une discussion", **fields) -> Thread:
    return Thread.objects.create(space=space, title=title, last_activity_at=timezone.now(), **fields)


def make_post(
    thread: Thread,
    body: str,
    *,
    language: str = "fr",
    state: str = PostState.VISIBLE,
    author=None,
    created_at: datetime.datetime | None = None,
) -> Post:
    thread.last_position += 1
    thread.save(update_fields=["last_position"])
    post = Post.objects.create(
        thread=thread,
        position=thread.last_position,
        body_md=body,
        body_html=render_markdown(body),
        language=language,
        state=state,
        author=author,
    )
    if created_at:
        Post.objects.filter(pk=post.pk).update(created_at=created_at)
    return post


def search(client, q: str, **params):
    response = client.get(reverse("community:search"), {"q": q, **params})
    assert response.status_code == 200
    return response


def found(response) -> list[str]:
    """The titles of the threads in the results, in order."""
    page = response.context["results"]
    return [result.thread_title for result in page.results] if page else []


@pytest.fixture
def space() -> Space:
    return make_space(name="Général")


# Language ------------------------------------------------------------------------------------------


def test_search_ignores_accents_in_the_query_and_in_the_posts(client, space):
    make_post(make_thread(space, "Accentué"), "Un éléphant rose dans le salon.")
    make_post(make_thread(space, "Sans accent"), "Un elephant gris dans le jardin.")

    assert sorted(found(search(client, "elephant"))) == ["Accentué", "Sans accent"]
    assert sorted(found(search(client, "ÉLÉPHANT"))) == ["Accentué", "Sans accent"]


def test_ligatures_and_letters_beyond_accents_are_folded_as_people_type_them(client, space):
    # PostgreSQL's unaccent: œ is "oe" and ß "ss", as people type them on a keyboard without them.
    make_post(make_thread(space, "Chef-d'œuvre"), "Une œuvre exposée au musée.")
    make_post(make_thread(space, "Berlin"), "Wir wohnen in der Hauptstraße.")

    assert found(search(client, "oeuvre")) == ["Chef-d'œuvre"]
    assert found(search(client, "hauptstrasse")) == ["Berlin"]


def test_french_plural_finds_the_singular(client, space):
    make_post(make_thread(space, "Mon chat"), "Mon chat dort sur le canapé.")
    make_post(make_thread(space, "L'écurie"), "Un cheval galope.")

    assert found(search(client, "chats")) == ["Mon chat"]
    assert found(search(client, "chevaux")) == ["L'écurie"]


def test_english_inflections_find_each_other(client, space):
    make_post(make_thread(space, "Morning"), "I was running late this morning.", language="en")

    assert found(search(client, "run")) == ["Morning"]
    assert found(search(client, "runs")) == ["Morning"]


def test_quoted_phrase_and_exclusion(client, space):
    make_post(make_thread(space, "Noir"), "Le chat noir dort.")
    make_post(make_thread(space, "Inversé"), "Noir est le pelage de ce chat.")
    make_post(make_thread(space, "Chien"), "Le chat et le chien jouent.")

    assert found(search(client, '"chat noir"')) == ["Noir"]
    assert sorted(found(search(client, "chat -chien"))) == ["Inversé", "Noir"]


# Visibility ----------------------------------------------------------------------------------------


def test_members_only_spaces_are_hidden_from_visitors_and_staff_spaces_from_members(
    client, member, community_manager
):
    make_post(make_thread(make_space(), "Public"), "Une licorne publique.")
    make_post(make_thread(make_space(visibility=Visibility.MEMBERS), "Membres"), "Une licorne des membres.")
    make_post(make_thread(make_space(visibility=Visibility.STAFF), "Équipe"), "Une licorne de l'équipe.")

    assert found(search(client, "licorne")) == ["Public"]
    client.force_login(member)
    assert sorted(found(search(client, "licorne"))) == ["Membres", "Public"]
    client.force_login(community_manager)
    assert sorted(found(search(client, "licorne"))) == ["Membres", "Public", "Équipe"]


def test_pending_removed_and_deleted_posts_never_show(client, community_manager, space):
    thread = make_thread(space, "États")
    make_post(thread, "Une girafe visible.")
    for state in (PostState.PENDING, PostState.REMOVED, PostState.DELETED):
        make_post(thread, f"Une girafe {state}.", state=state)
    make_post(make_thread(space, "Fil retiré", state=PostState.REMOVED), "Une girafe dans un fil retiré.")

    client.force_login(community_manager)
    page = search(client, "girafe").context["results"]

    assert [r.snippet for r in page.results] == ["Une <mark>girafe</mark> visible"]


def test_a_space_chosen_in_the_url_but_not_visible_is_refused(client):
    hidden = make_space(visibility=Visibility.STAFF)
    make_post(make_thread(hidden, "Secret"), "Un dossier confidentiel.")

    response = search(client, "dossier", space=hidden.slug)

    assert found(response) == []
    assert "Choose one of the spaces in the list." in response.content.decode()
    assert "Secret" not in response.content.decode()


# Snippets and ranking ------------------------------------------------------------------------------


def test_snippet_marks_the_matched_words_in_their_original_spelling(client, space):
    make_post(
        make_thread(space, "Zoo"), "Hier, **Éléphants** et girafes au [zoo](https://zoo.example/visite)."
    )

    response = search(client, "elephant")

    html = response.content.decode()
    assert "Hier, <mark>Éléphants</mark> et girafes au zoo" in html
    assert "https://zoo.example" not in html
    assert "**" not in html


def test_snippet_escapes_html_written_in_a_post(client, space):
    make_post(make_thread(space, "Piège"), "Regardez <script>alert('x')</script> mon <b>hibou</b>.")

    html = search(client, "hibou").content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;<mark>hibou</mark>" in html


def test_marker_characters_typed_by_a_member_cannot_open_a_mark():
    snippet = snippet_html("un \ue000faux\ue001 hibou", "un  faux  \ue000hibou\ue001")

    assert snippet == "un faux <mark>hibou</mark>"


def test_a_thread_whose_title_matches_ranks_first(client, space):
    titled = make_thread(space, "Tarte aux pommes")
    make_post(titled, "Voici ma recette préférée de tarte.")
    other = make_thread(space, "Divers")
    make_post(other, "Tarte, tarte, encore de la tarte aux pommes, tarte !")

    assert found(search(client, "tarte")) == ["Tarte aux pommes", "Divers"]


def test_a_title_match_finds_the_opening_post_even_when_its_text_does_not_match(client, space):
    thread = make_thread(space, "Randonnée au Mont Blanc")
    make_post(thread, "Qui vient samedi ?")
    make_post(thread, "Moi !")

    page = search(client, "randonnee").context["results"]

    assert [(r.thread_title, r.url) for r in page.results] == [
        ("Randonnée au Mont Blanc", f"/threads/{thread.pk}/#post-1")
    ]


def test_results_show_space_author_date_and_link_to_the_post(client, space):
    author = UserFactory(display_name="Léa Fontaine")
    thread = make_thread(space, "Vélo")
    for _ in range(PAGE_SIZE):
        make_post(thread, "Rien à voir.")
    post = make_post(
        thread,
        "Mon vélo est réparé.",
        author=author,
        created_at=datetime.datetime(2026, 3, 14, 9, 30, tzinfo=datetime.UTC),
    )

    html = search(client, "velo").content.decode()

    assert f'href="{post.get_absolute_url()}"' in html
    assert f"?page=2#post-{PAGE_SIZE + 1}" in post.get_absolute_url()
    assert "Général" in html
    assert "Léa Fontaine" in html
    assert 'datetime="2026-03-14T10:30:00+01:00"' in html
    post.author = None
    post.save(update_fields=["author"])
    results = search(client, "velo").context["results"].results
    assert [r.author_name for r in results if r.post_id == post.pk] == ["Deleted member"]


def test_results_are_paged_with_a_next_link(client, space):
    thread = make_thread(space, "Pommes")
    for number in range(PAGE_SIZE + 5):
        make_post(thread, f"Pomme numéro {number}.")

    first = search(client, "pomme")
    second = search(client, "pomme", page=2)

    assert len(first.context["results"].results) == PAGE_SIZE
    assert "page=2" in first.content.decode() and 'rel="next"' in first.content.decode()
    assert len(second.context["results"].results) == 5
    assert 'rel="next"' not in second.content.decode()


def test_only_the_newest_matches_are_ranked_and_the_page_says_so(client, space, monkeypatch):
    monkeypatch.setattr("community.selectors.search.CANDIDATES", 3)
    for number in range(5):
        make_post(make_thread(space, f"Poire {number}"), "Une poire.")

    response = search(client, "poire")

    assert sorted(found(response)) == ["Poire 2", "Poire 3", "Poire 4"]
    assert "At least 3 posts match; the most recent are ranked." in response.content.decode()


@pytest.mark.parametrize(
    ("walk_rows", "probe_hits"),
    [(30, 1), (4, 1), (30, 10**6)],
    ids=["newest posts walked", "walk too short, index used", "walk skipped, index used"],
)
def test_common_and_rare_words_find_the_same_newest_matches_whichever_way_they_are_read(
    client, space, monkeypatch, walk_rows, probe_hits
):
    monkeypatch.setattr("community.selectors.search.CANDIDATES", 4)
    monkeypatch.setattr("community.selectors.search.PROBE_ROWS", 10)
    monkeypatch.setattr("community.selectors.search.WALK_ROWS", walk_rows)
    monkeypatch.setattr("community.selectors.search.PROBE_HITS", probe_hits)
    hidden = make_space(visibility=Visibility.MEMBERS)
    for number in range(8):
        make_post(
            make_thread(space, f"Fil {number}"), "La pompe à chaleur siffle." if number % 2 else "Rien."
        )
    make_post(make_thread(hidden, "Caché"), "La pompe à chaleur siffle.")
    make_post(make_thread(space, "Supprimé"), "La pompe à chaleur siffle.", state=PostState.DELETED)
    make_post(make_thread(space, "Pompe à chaleur en panne"), "Elle ne chauffe plus.")

    response = search(client, "pompe à chaleur")

    assert sorted(found(response)) == ["Fil 3", "Fil 5", "Fil 7", "Pompe à chaleur en panne"]
    assert found(response)[0] == "Pompe à chaleur en panne"
    assert "<mark>pompe</mark>" in response.content.decode()


# Filters -------------------------------------------------------------------------------------------


def test_filters_by_space_author_and_dates(client, space):
    other_space = make_space(name="Autre")
    alice, bob = UserFactory(handle="alice"), UserFactory(handle="bob")
    when = datetime.datetime(2026, 5, 10, 12, tzinfo=datetime.UTC)
    make_post(make_thread(space, "Alice en mai"), "Un renard.", author=alice, created_at=when)
    make_post(
        make_thread(space, "Bob en juin"),
        "Un renard.",
        author=bob,
        created_at=when + datetime.timedelta(days=30),
    )
    make_post(make_thread(other_space, "Ailleurs"), "Un renard.", author=alice, created_at=when)

    assert sorted(found(search(client, "renard", space=space.slug))) == ["Alice en mai", "Bob en juin"]
    assert sorted(found(search(client, "renard", author="@Alice"))) == ["Ailleurs", "Alice en mai"]
    assert found(search(client, "renard", after="2026-06-01")) == ["Bob en juin"]
    assert sorted(found(search(client, "renard", before="2026-05-10"))) == ["Ailleurs", "Alice en mai"]
    assert found(search(client, "renard", before="2026-05-09")) == []


def test_an_unknown_author_or_a_bad_date_gives_a_message_and_no_results(client, space):
    make_post(make_thread(space, "Renard"), "Un renard.")

    unknown = search(client, "renard", author="nobody")
    bad_date = search(client, "renard", after="2026-13-45")
    reversed_range = search(client, "renard", after="2026-05-02", before="2026-05-01")

    assert unknown.context["results"] is None
    assert "No member has the handle @nobody." in unknown.content.decode()
    assert bad_date.context["results"] is None
    assert "Enter a valid date." in bad_date.content.decode()
    assert "The end date comes before the start date." in reversed_range.content.decode()


def test_too_short_or_too_long_queries_get_a_message(client, space):
    short = search(client, "a")
    long = search(client, "mot " * 60)

    assert short.context["results"] is None
    assert "Type at least 2 characters." in short.content.decode()
    assert "Type at most 200 characters." in long.content.decode()


def test_an_empty_query_shows_the_form_only(client, space):
    make_post(make_thread(space, "Renard"), "Un renard.")

    response = search(client, "   ")

    assert response.context["results"] is None
    assert not response.context["filter"].form.errors
    assert "search-results" not in response.content.decode()


def test_stop_words_alone_find_nothing_and_say_so(client, space):
    make_post(make_thread(space, "Renard"), "Le renard et la poule.")

    assert "No post matches “le la”." in search(client, "le la").content.decode()


# Cost ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("matches", [3, 30])
def test_search_page_costs_the_same_number_of_queries_whatever_the_matches(
    client, member, space, matches, django_assert_num_queries, django_assert_max_num_queries
):
    author = UserFactory(handle="auteur")
    for number in range(matches):
        make_post(make_thread(space, f"Soupe {number}"), "Une soupe de potiron.", author=author)
    params = {
        "q": "soupe",
        "space": space.slug,
        "author": "auteur",
        "after": "2020-01-01",
        "before": "2099-01-01",
    }
    url = reverse("community:search")
    client.get(url, params)  # the branding cache is warm from here on

    # The spaces the viewer may read, the author's handle, the search itself.
    with django_assert_num_queries(3):
        response = client.get(url, params)
    assert len(response.context["results"].results) == min(matches, PAGE_SIZE)

    # A member also costs the session, the user and their roles (read once for the page).
    client.force_login(member)
    client.get(url, params)
    with django_assert_max_num_queries(6):
        client.get(url, params)


def test_odd_input_never_breaks_the_page(client, space):
    make_post(make_thread(space, "Renard"), "Un renard.")

    assert "Null characters are not allowed." in search(client, "renard\x00").content.decode()
    assert found(search(client, "renard", page="abc")) == ["Renard"]
    assert found(search(client, "renard", page="99")) == []
    # Query operators of to_tsquery are plain text to websearch_to_tsquery.
    assert found(search(client, "renard & | ! <-> :* (")) == ["Renard"]


# The page ------------------------------------------------------------------------------------------


def test_every_page_has_a_search_box_in_its_header(client):
    html = client.get("/").content.decode()

    assert 'role="search"' in html
    assert "Search the community" in html
    assert f'action="{reverse("community:search")}"' in html


def test_search_page_speaks_french(space):
    from django.test import Client

    when = datetime.datetime(2026, 3, 14, 9, 30, tzinfo=datetime.UTC)
    make_post(make_thread(space, "Renard"), "Un renard roux.", created_at=when)
    client = Client(headers={"Accept-Language": "fr"})

    html = client.get(reverse("community:search"), {"q": "renard"}).content.decode()

    assert "Rechercher dans la communauté" in html
    assert "1 message correspond" in html
    assert "Tous les espaces" in html
    assert "14 mars 2026" in html


def test_members_who_read_the_same_spaces_share_results_for_a_few_seconds_and_the_team_does_not(
    client, settings, member, community_manager, django_assert_num_queries
):
    settings.SEARCH_RESULTS_SECONDS = 10
    public, staff = make_space(), make_space(visibility=Visibility.STAFF)
    make_post(make_thread(public), "La pompe à chaleur ronronne.")
    other = UserFactory()
    client.force_login(member)
    assert "ronronne" in search(client, "pompe").text
    make_post(make_thread(staff), "Note d'équipe : pompe à revoir.")
    client.force_login(other)
    with django_assert_num_queries(4):  # member, roles, spaces, unread count: no search statement
        shared = search(client, "pompe").text
    assert "ronronne" in shared and "revoir" not in shared
    client.force_login(community_manager)
    assert "revoir" in search(client, "pompe").text  # the team reads more spaces: its own results
