"""The day's activity: counted in Redis on the page, moved to the database by the flush (absolute values
upserted, so a rerun or two at once write the same rows), without crawlers, fragments or addresses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from community.models import Space
from community.services import forum
from core import activity
from reporting.models import MemberDay, SearchDay, SpaceDay, TrafficDay
from reporting.services import activity_flush
from tests.concurrency import at_once
from tests.factories import UserFactory

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


def browse(
    client: Client, path: str, *, agent: str = BROWSER, htmx: bool = False, address: str = "203.0.113.7"
):
    headers = {"User-Agent": agent, "Accept-Language": "en"}
    if htmx:
        headers["HX-Request"] = "true"
    return client.get(path, headers=headers, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_views_visitors_and_members_are_counted_once_flushed_and_a_rerun_changes_nothing():
    member = UserFactory()
    space = Space.objects.create(name="Entraide", slug="entraide")
    thread = forum.thread_create(actor=member, space=space, title="Quelle tente ?", body="Bonjour")
    signed_in = Client()
    signed_in.force_login(member)
    for _ in range(3):
        assert browse(signed_in, thread.get_absolute_url()).status_code == 200
    visitor = Client()
    browse(visitor, "/")
    browse(visitor, thread.get_absolute_url())
    browse(Client(), "/", address="198.51.100.9")  # a second visitor
    browse(Client(), "/", agent="Mozilla/5.0 (compatible; Googlebot/2.1)")  # a crawler: not counted
    browse(signed_in, f"/threads/{thread.pk}/overlay/?page=1", htmx=True)  # a fragment: not a page view
    activity_flush()
    activity_flush()
    day = activity.today()
    traffic = TrafficDay.objects.get(day=day)
    assert (traffic.views, traffic.visitors) == (6, 2)
    assert list(MemberDay.objects.values_list("member_id", "day")) == [(member.pk, day)]
    assert SpaceDay.objects.get(day=day, space=space).views == 4


@pytest.mark.django_db
def test_searches_are_counted_with_those_finding_nothing():
    member = UserFactory()
    space = Space.objects.create(name="Entraide", slug="entraide")
    forum.thread_create(actor=member, space=space, title="Quelle tente choisir ?", body="Une tente légère")
    client = Client()
    for term in ("tente", "Tente", "parapluie"):
        browse(client, f"{reverse('community:search')}?q={term}")
    activity_flush()
    rows = dict(SearchDay.objects.values_list("term", "searches"))
    assert rows == {"tente": 2, "parapluie": 1}
    assert SearchDay.objects.get(term="parapluie").empty == 1
    assert SearchDay.objects.get(term="tente").empty == 0


@pytest.mark.django_db(transaction=True)
def test_two_flushes_at_once_write_the_same_rows():
    members = [UserFactory() for _ in range(30)]
    for member in members:
        activity.page_viewed(member_id=member.pk, visitor=None)
    at_once(lambda _n: activity_flush(), range(3))
    assert MemberDay.objects.count() == 30
    assert TrafficDay.objects.get().views == 30


def test_a_visitors_token_keeps_no_address_and_changes_every_day():
    day = activity.today()
    token = activity.visitor_token("203.0.113.7", BROWSER, day)
    assert "203.0.113.7" not in token and len(token) == 24
    assert token != activity.visitor_token("203.0.113.7", BROWSER, day + timedelta(days=1))
