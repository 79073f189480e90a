from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from moderation import services
from moderation.models import NetiquetteAcceptance, NetiquetteRule, NetiquetteVersion
from moderation.permissions import member_can_post
from moderation.selectors import netiquette_accepted, netiquette_current_version
from moderation.services import netiquette as netiquette_services

pytestmark = pytest.mark.django_db


def test_default_netiquette_is_seeded_in_french_and_english_and_published_as_version_1():
    rules = list(NetiquetteRule.objects.filter(active=True))
    assert [rule.number for rule in rules] == [1, 2, 3, 4, 5, 6, 7, 8]
    for rule in rules:
        assert rule.title_fr and rule.title_en and rule.title_fr != rule.title_en
        assert rule.text_fr and rule.text_en and rule.text_fr != rule.text_en
    titles_en = " ".join(rule.title_en for rule in rules)
    for topic in (
        "Respect",
        "discrimination",
        "pornographic",
        "spam",
        "topic",
        "personal data",
        "law",
        "Report",
    ):
        assert topic in titles_en
    assert "Respect et courtoisie" in [rule.title_fr for rule in rules]
    assert {rule.severity for rule in rules} >= {1, 2, 3, 5}
    version = NetiquetteVersion.objects.get()
    assert (version.number, version.note) == (1, "Initial netiquette")


def test_accepting_twice_records_a_single_acceptance(newcomer):
    first = services.netiquette_accept(actor=newcomer)
    second = services.netiquette_accept(actor=newcomer)
    assert first.pk == second.pk
    assert NetiquetteAcceptance.objects.filter(user=newcomer).count() == 1


def test_a_double_submit_of_the_accept_form_records_one_acceptance(client, newcomer):
    client.force_login(newcomer)
    url = reverse("moderation:netiquette-accept")
    first = client.post(url, {"next": "/?from=welcome"})
    second = client.post(url, {"next": "/?from=welcome"})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == "/?from=welcome"
    assert NetiquetteAcceptance.objects.filter(user=newcomer).count() == 1


def test_accepting_lets_the_member_post_on_the_next_request(newcomer, django_capture_on_commit_callbacks):
    assert not member_can_post(newcomer)
    with django_capture_on_commit_callbacks(execute=True):
        services.netiquette_accept(actor=newcomer)
    assert member_can_post(newcomer)
    # A fresh user object reads the answer from the cache, without a query.
    fresh = type(newcomer).objects.get(pk=newcomer.pk)
    netiquette_current_version()
    with CaptureQueriesContext(connection) as queries:
        assert netiquette_accepted(fresh)
    assert len(queries) == 0


def test_publishing_a_new_version_asks_members_to_accept_again(
    member, community_manager, django_capture_on_commit_callbacks
):
    assert member_can_post(member)
    with django_capture_on_commit_callbacks(execute=True):
        version = services.netiquette_publish(
            actor=community_manager, note="Rule 4 now covers referral links."
        )
    assert version.number == 2
    assert version.published_by == community_manager
    assert netiquette_current_version() == 2
    assert not member_can_post(member)
    assert not member_can_post(type(member).objects.get(pk=member.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.netiquette_accept(actor=member)
    assert member_can_post(member)
    assert member_can_post(type(member).objects.get(pk=member.pk))
    assert NetiquetteAcceptance.objects.filter(user=member).count() == 2


def test_a_member_cannot_publish_the_netiquette(member):
    with pytest.raises(PermissionDenied):
        services.netiquette_publish(actor=member, note="I rewrote the rules.")
    assert NetiquetteVersion.objects.count() == 1


def test_publishing_needs_a_note_saying_what_changed(community_manager):
    with pytest.raises(ValidationError) as caught:
        services.netiquette_publish(actor=community_manager, note="   ")
    assert "note" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.netiquette_publish(actor=community_manager, note="x" * 301)
    assert NetiquetteVersion.objects.count() == 1


def test_a_manager_who_loses_the_race_for_a_version_number_takes_the_next_one(community_manager):
    """Simulates two managers publishing at once: the first number tried is already taken."""
    real = netiquette_services._next_version_number
    taken = iter([1])  # version 1 exists, as if another manager had just published it

    def stale_then_real() -> int:
        return next(taken, None) or real()

    with mock.patch.object(netiquette_services, "_next_version_number", side_effect=stale_then_real):
        version = services.netiquette_publish(actor=community_manager, note="Clearer rule 6.")
    assert version.number == 2
    assert sorted(NetiquetteVersion.objects.values_list("number", flat=True)) == [1, 2]


def test_the_netiquette_page_shows_the_rules_and_the_version(client):
    response = client.get(reverse("moderation:netiquette"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Respect and courtesy" in page
    assert "Report rather than retaliate" in page
    assert "Version 1, published on" in page
    assert "I accept the netiquette" not in page
    assert "Sign in" in page


def test_the_netiquette_page_is_in_french_for_a_french_browser():
    client = Client(headers={"Accept-Language": "fr"})
    response = client.get(reverse("moderation:netiquette"))
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Respect et courtoisie" in page
    assert "Signalez plutôt que de répliquer" in page
    assert "Respect and courtesy" not in page
    published_at = timezone.localtime(NetiquetteVersion.objects.get().published_at)
    with translation.override("fr"):
        assert date_format(published_at, "DATE_FORMAT") in page  # e.g. "22 novembre 2026"


def test_a_french_member_reads_french_rules_and_the_accept_button(newcomer):
    newcomer.language = ""
    newcomer.save(update_fields=["language"])
    client = Client(headers={"Accept-Language": "fr"})
    client.force_login(newcomer)
    page = client.get(reverse("moderation:netiquette")).content.decode()
    assert "Aucune discrimination ni haine" in page
    assert "Restez dans le sujet" in page
    assert 'action="/netiquette/accept/"' in page


def test_a_member_who_has_not_accepted_sees_the_form_with_the_next_page(client, newcomer):
    client.force_login(newcomer)
    response = client.get(reverse("moderation:netiquette"), {"next": "/?from=welcome"})
    page = response.content.decode()
    assert "I accept the netiquette" in page
    assert 'name="next" value="/?from=welcome"' in page
    # The page asks for the acceptance itself: no banner above it.
    assert "Please read and accept the netiquette to take part." not in page


def test_the_netiquette_page_ignores_a_next_pointing_to_another_site(client, newcomer):
    client.force_login(newcomer)
    response = client.get(reverse("moderation:netiquette"), {"next": "https://evil.example/"})
    assert response.context["next_url"] == ""
    assert 'value="https://evil.example/"' not in response.content.decode()


def test_accepting_with_a_next_pointing_to_another_site_goes_home(client, newcomer):
    client.force_login(newcomer)
    response = client.post(reverse("moderation:netiquette-accept"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("home")
    assert NetiquetteAcceptance.objects.filter(user=newcomer).exists()


def test_accepting_shows_a_thank_you_and_the_page_then_shows_the_acceptance(client, newcomer):
    client.force_login(newcomer)
    response = client.post(reverse("moderation:netiquette-accept"), follow=True)
    assert "Thank you for accepting the netiquette." in response.content.decode()
    page = client.get(reverse("moderation:netiquette")).content.decode()
    assert "You accepted version 1 on" in page
    assert "I accept the netiquette" not in page


def test_a_visitor_cannot_accept(client):
    response = client.post(reverse("moderation:netiquette-accept"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not NetiquetteAcceptance.objects.exists()


def test_a_member_asked_again_sees_which_version_they_accepted(
    client, member, community_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.netiquette_publish(actor=community_manager, note="Rule 4 now covers referral links.")
    client.force_login(member)
    page = client.get(reverse("moderation:netiquette")).content.decode()
    assert "Version 2, published on" in page
    assert "Rule 4 now covers referral links." in page
    assert "You accepted version 1 on" in page
    assert "The netiquette has changed since" in page
    assert "I accept the netiquette" in page


def test_the_netiquette_page_costs_a_fixed_number_of_queries(
    client, newcomer, community_manager, django_assert_max_num_queries
):
    for number in range(9, 30):
        NetiquetteRule.objects.create(
            number=number, title_fr=f"Règle {number}", title_en=f"Rule {number}", text_fr="…", text_en="…"
        )
    client.force_login(newcomer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("moderation:netiquette"))
    assert "Rule 29" in response.content.decode()
    with django_assert_max_num_queries(8):
        client.get(reverse("moderation:netiquette"))


def test_accepting_a_version_that_was_replaced_while_reading_asks_to_read_the_new_one(client):
    from moderation.models import NetiquetteAcceptance, NetiquetteVersion
    from tests.factories import UserFactory

    newcomer = UserFactory(netiquette_accepted=False)
    read = NetiquetteVersion.objects.order_by("-number").first().number
    NetiquetteVersion.objects.create(number=read + 1, note="New rule")
    client.force_login(newcomer)
    response = client.post("/netiquette/accept/", {"version": read}, follow=True)
    assert "has just changed" in response.text
    assert not NetiquetteAcceptance.objects.filter(user=newcomer).exists()
