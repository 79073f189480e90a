import re
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

DISPLAY_NAME_MAX = 60
HANDLE_MAX = 30
handle_validator = RegexValidator(
    r"^[\w.-]{2,30}\Z", _("Use 2 to 30 letters, digits, dots, dashes or underscores."), flags=re.UNICODE
)
BIO_MAX = 600


def validate_timezone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


def free_handle(wanted: str) -> str:
    """A handle derived from a name, made unique with a number when it is taken."""
    base = slugify(wanted).replace("-", ".")[:24] or "member"
    if len(base) < 2:
        base = f"{base}.member"
    candidate, n = base, 1
    while User.objects.filter(handle__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def save_with_free_handle(user: "User", wanted: str, attempts: int = 25) -> None:
    """Insert a new member under a free handle derived from `wanted`. Sign-ups with one name at the
    same moment may all find the same handle free: the unique index settles it, and each loser takes
    the next free one, in a savepoint per attempt."""
    for _attempt in range(attempts):
        user.handle = free_handle(wanted)
        try:
            with transaction.atomic():
                user.save()
            return
        except IntegrityError as exc:
            # The handle's unique index (exact or case-insensitive) is the only conflict retried.
            constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "") or ""
            if "handle" not in constraint:
                raise
    raise IntegrityError(f"no free handle for {wanted!r} after {attempts} attempts")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
        # Never derived from the e-mail address: handles and names are public.
        extra.setdefault("handle", free_handle(extra.get("display_name") or "member"))
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account: members, community managers and marketing alike (roles are groups)."""

    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=DISPLAY_NAME_MAX, blank=True)
    handle = models.CharField(
        _("handle"),
        max_length=HANDLE_MAX,
        unique=True,
        validators=[handle_validator],
        help_text=_("Others mention you with @handle: letters, digits, dots, dashes and underscores."),
    )
    bio = models.TextField(_("about me"), max_length=BIO_MAX, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, validators=[validate_timezone])
    avatar_version = models.CharField(max_length=16, blank=True, editable=False)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Can sign in to the administration. Given with the Community managers role."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The member's latest visit, to the hour (written at most once an hour): the digest skips a member
    # who came since its period began.
    last_seen_at = models.DateTimeField(_("last visit"), null=True, blank=True, editable=False)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.UniqueConstraint(Lower("handle"), name="accounts_user_handle_ci_unique"),
        ]
        indexes = [models.Index(fields=["date_joined"], name="accounts_user_joined_idx")]

    def __str__(self) -> str:
        return self.display_name or self.handle or str(_("Member"))

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return str(self)

    @property
    def public_name(self) -> str:
        return str(self)

    @property
    def avatar_url(self) -> str:
        """Built from columns of the user row, so that lists of posts need no join for pictures."""
        if not self.avatar_version:
            return ""
        return reverse("accounts:avatar", args=[self.pk, self.avatar_version])


class Avatar(models.Model):
    """A member's picture, resized on upload and kept in the database so every web server can serve it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="avatar"
    )
    image = models.BinaryField(_("image"))
    content_type = models.CharField(max_length=32, default="image/webp")
    version = models.CharField(max_length=16)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("avatar")
        verbose_name_plural = _("avatars")

    def __str__(self) -> str:
        return str(self.user_id)

    def get_absolute_url(self) -> str:
        return reverse("accounts:avatar", args=[self.user_id, self.version])
