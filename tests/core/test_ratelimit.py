"""Rate limits on search, flags, the data export and invitations: a clear page in the visitor's language,
counted per member (or per address), and never an error when Redis is down."""

from __future__ import annotations

import pytest
import redis
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django_redis import get_redis_connection

from community.models import Invitation, Space
from community.services import forum
from core import ratelimit
from moderation.models import Flag, NetiquetteRule
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("community:search")


@pytest.fixture
def limits(settings):
    settings.RATE_LIMITS = {"search": "3/m", "flag": "2/h", "data_export": "1/h", "invitation": "1/h"}


def test_parse_rate():
    assert ratelimit.parse_rate("20/m") == (20, 60)
    assert ratelimit.parse_rate("5/10m") == (5, 600)
    assert ratelimit.parse_rate("100/d") == (100, 86_400)


def test_searching_past_the_limit_gets_a_clear_page_in_french_and_a_retry_after(limits):
    member = UserFactory(language="fr")
    client = Client()
    client.force_login(member)
    for word in ("chat", "chien", "cheval"):
        assert client.get(SEARCH, {"q": word}).status_code == 200
    # Opening the empty search page is not a search: it is never counted.
    assert client.get(SEARCH).status_code == 200

    refused = client.get(SEARCH, {"q": "vache"})

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    page = refused.content.decode()
    assert "Vous avez fait beaucoup de recherches en peu de temps." in page
    assert "Veuillez réessayer dans une minute." in page
    # Someone else searches on.
    other = Client()
    other.force_login(UserFactory())
    assert other.get(SEARCH, {"q": "vache"}).status_code == 200


def test_signed_out_visitors_are_counted_by_address_behind_the_proxy(limits, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    first, second = Client(), Client()
    for word in ("chat", "chien", "cheval"):
        assert first.get(SEARCH, {"q": word}, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 200

    assert first.get(SEARCH, {"q": "vache"}, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # Another visitor behind the same proxy has a count of their own.
    assert second.get(SEARCH, {"q": "vache"}, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_flags_past_the_limit_are_refused_and_not_recorded(limits, member):
    space = Space.objects.create(name="Entraide", slug="entraide")
    author = UserFactory()
    thread = forum.thread_create(actor=author, space=space, title="Un fil", body="Premier message")
    posts = [forum.post_create(actor=author, thread=thread, body=f"Réponse {n}") for n in range(3)]
    rule = NetiquetteRule.objects.first()
    client = Client()
    client.force_login(member)

    statuses = [
        client.post(reverse("moderation:flag", args=["post", post.pk]), {"rule": rule.pk}).status_code
        for post in posts
    ]

    assert statuses == [302, 302, 429]
    assert Flag.objects.filter(flagger=member).count() == 2
    # Reading the flag form is not limited.
    assert client.get(reverse("moderation:flag", args=["post", posts[2].pk])).status_code == 200


def test_the_data_export_past_the_limit_says_when_to_come_back(limits, member):
    client = Client()
    client.force_login(member)
    assert client.get(reverse("community:data-export")).status_code == 200

    refused = client.get(reverse("community:data-export"))

    assert refused.status_code == 429
    assert "You downloaded your data several times in a short while." in refused.content.decode()
    assert "Please try again in 60 minutes." in refused.content.decode()


def test_invitations_past_the_limit_create_no_link(limits, member):
    client = Client()
    client.force_login(member)
    data = {"note": "", "max_uses": "3", "expires_in_days": "7"}
    assert client.post(reverse("community:invitations"), data).status_code == 302

    assert client.post(reverse("community:invitations"), data).status_code == 429
    assert Invitation.objects.filter(inviter=member).count() == 1
    assert client.get(reverse("community:invitations")).status_code == 200


def test_with_redis_down_limits_let_requests_through(limits, member, monkeypatch):
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    monkeypatch.setattr(ratelimit, "get_redis_connection", lambda alias: unreachable)
    client = Client()
    client.force_login(member)

    statuses = [client.get(SEARCH, {"q": f"mot{n}"}).status_code for n in range(5)]

    assert statuses == [200] * 5


def test_a_count_that_lost_its_lifetime_gets_it_back(limits, member):
    # The key expiring between SET and INCR makes it anew without a lifetime: it must not block for ever.
    client = Client()
    client.force_login(member)
    key = cache.make_key(f"ratelimit:search:u{member.pk}")
    get_redis_connection("default").set(key, 10)

    assert client.get(SEARCH, {"q": "chat"}).status_code == 429
    assert 0 < get_redis_connection("default").ttl(key) <= 60
