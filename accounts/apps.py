from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Members and roles")

    def ready(self) -> None:
        from accounts import receivers, roles

        receivers.connect()

        # Permissions exist only after every app's migrations ran: grant them to the roles then.
        post_migrate.connect(roles.sync_role_permissions, dispatch_uid="accounts.sync_role_permissions")
