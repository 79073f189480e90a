"""The three roles are Django groups (made by migration 0002); this keeps their permissions in step."""

from django.utils.translation import gettext_lazy as _

COMMUNITY_MANAGERS = "Community managers"
MARKETING = "Marketing"
AMBASSADORS = "Ambassadors"

ROLE_LABELS = {
    COMMUNITY_MANAGERS: _("Community managers"),
    MARKETING: _("Marketing"),
    AMBASSADORS: _("Ambassadors"),
}

# App labels whose every permission a community manager holds, and single permissions per role.
ROLE_APPS = {
    COMMUNITY_MANAGERS: {"accounts", "core", "community", "moderation", "events", "django_celery_beat"},
}
ROLE_PERMISSIONS = {
    COMMUNITY_MANAGERS: {"reporting.view_dashboard", "account.view_emailaddress", "platform.view_cspreport"},
    MARKETING: {"reporting.view_dashboard"},
    AMBASSADORS: set(),
}


def sync_role_permissions(sender=None, **kwargs) -> None:
    """Give each role group exactly the permissions declared above (run after every migrate)."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    for role in ROLE_LABELS:
        group, _created = Group.objects.get_or_create(name=role)
        wanted = Q(pk__in=[])
        apps_ = ROLE_APPS.get(role, set())
        if apps_:
            wanted |= Q(content_type__app_label__in=apps_)
        for codename in ROLE_PERMISSIONS[role]:
            app_label, code = codename.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=code)
        group.permissions.set(Permission.objects.filter(wanted))
