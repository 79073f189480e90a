"""The forum: spaces, threads, posts and what hangs off them (reactions, notifications, invitations).

Counters (posts per thread, last activity, reactions) are denormalised and kept in step by the services
in the same transaction. Each post carries its position in its thread, so that any page of a thread is
one index range scan, whatever its depth.
"""

from datetime import date, datetime

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from community.text import SEARCH_CONFIGS
from core.models import hex_colour

TITLE_MAX = 150
POST_MAX = 50_000
POSTS_PER_PAGE = 20


def _tsvector(config: str, column: str) -> models.Func:
    """to_tsvector with the accent-insensitive configuration for `config` (community.text.SEARCH_CONFIGS)."""
    return models.Func(
        models.Func(models.Value(SEARCH_CONFIGS[config]), function="", template="%(expressions)s::regconfig"),
        models.F(column),
        function="to_tsvector",
        output_field=SearchVectorField(),
    )


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone, even signed out")
    MEMBERS = "members", _("Signed-in members")
    STAFF = "staff", _("Community managers only")


class Space(models.Model):
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    objective = models.TextField(
        _("objective"), max_length=1000, blank=True, help_text=_("What this space is for, shown at its top.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    visibility = models.CharField(
        _("visible to"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    premoderated = models.BooleanField(
        _("pre-moderation"),
        default=False,
        help_text=_("New threads and replies wait for a community manager."),
    )
    is_introductions = models.BooleanField(
        _("introductions space"), default=False, help_text=_("Where newcomers introduce themselves.")
    )
    newcomer_hold_posts = models.PositiveSmallIntegerField(
        _("hold a new member's first posts"),
        default=0,
        db_default=0,
        help_text=_("A member's first N posts here wait for a community manager (0: off)."),
    )
    icon = models.CharField(_("icon"), max_length=8, blank=True, help_text=_("An emoji or one character."))
    colour = models.CharField(_("colour"), max_length=7, default="#4f46e5", validators=[hex_colour])
    archive_after_days = models.PositiveIntegerField(
        _("archive after (days without activity)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Archive threads with no activity for this many days (checked every night; pinned threads "
            "are kept). Empty: never."
        ),
    )
    thread_count = models.PositiveIntegerField(default=0, editable=False)
    # Bumped by every write that changes what the space's list of threads shows
    # (services.visibility.space_touch): the shared copies of its pages are keyed by it.
    version = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_activity_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        constraints = [
            models.UniqueConstraint(
                fields=["is_introductions"],
                condition=Q(is_introductions=True),
                name="community_one_introductions_space",
            ),
            models.CheckConstraint(
                condition=Q(archive_after_days__isnull=True) | Q(archive_after_days__gte=1),
                name="community_space_archive_after_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("community:space", args=[self.slug])


class SpaceMonth(models.Model):
    """How many published threads were started in a space in a month (of the community's time zone):
    the archive pages' counts, kept in step with `Space.thread_count` by services.visibility, so that
    they cost a few rows whatever the size of the archive."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="months")
    month = models.DateField()  # its first day
    thread_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "month"], name="community_space_month_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.space_id} {self.month:%Y-%m}"

    @staticmethod
    def month_of(when: datetime) -> date:
        """The month a moment falls in, in the community's time zone (settings.TIME_ZONE)."""
        return timezone.localtime(when, timezone.get_default_timezone()).date().replace(day=1)


class PostState(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    PENDING = "pending", _("Awaiting review")
    REMOVED = "removed", pgettext_lazy("post state", "Removed by moderation")
    DELETED = "deleted", pgettext_lazy("post state", "Deleted")


class Thread(models.Model):
    space = models.ForeignKey(
        Space, on_delete=models.PROTECT, related_name="threads", verbose_name=_("space")
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="threads"
    )
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("locked"), default=False)
    featured_at = models.DateTimeField(
        _("featured since"),
        null=True,
        blank=True,
        help_text=_("Launched by the team; shown on the home page."),
    )
    state = models.CharField(_("state"), max_length=10, choices=PostState.choices, default=PostState.VISIBLE)
    removed_rule = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    solution = models.ForeignKey(
        "Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("best answer"),
    )
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_position = models.PositiveIntegerField(default=0, editable=False)
    last_activity_at = models.DateTimeField(db_index=False)
    last_poster = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    view_count = models.PositiveBigIntegerField(default=0, editable=False)
    # Bumped by every write that changes what the thread's page shows (services.forum.thread_touch): the
    # shared copies of its pages are keyed by it (core/shared_pages.py).
    version = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    welcomed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set by services.archiving: the thread is read-only, out of the lists of active threads, and still
    # readable at its address, searchable and listed in the archive pages.
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    search_vector = models.GeneratedField(
        # Titles are short and of either language: index both stemmings.
        expression=models.Func(
            _tsvector("french", "title"),
            _tsvector("english", "title"),
            template="(%(expressions)s)",
            arg_joiner=" || ",
            output_field=SearchVectorField(),
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        # The lists of active threads (a space's, the home page's) leave archived threads out: their
        # indexes hold only the others, so the lists cost the same however large the archive grows.
        indexes = [
            models.Index(
                "space", models.F("pinned").desc(), models.F("last_activity_at").desc(),
                name="community_thread_space_list",
                condition=Q(archived_at__isnull=True),
            ),
            models.Index(
                models.F("featured_at").desc(),
                name="community_thread_featured",
                condition=Q(featured_at__isnull=False, archived_at__isnull=True),
            ),
            models.Index(
                models.F("last_activity_at").desc(),
                name="community_thread_recent",
                condition=Q(archived_at__isnull=True),
            ),
            # The archive pages: published threads by the month they were started (selectors.archive).
            models.Index(
                fields=["created_at", "space"],
                name="community_thread_started",
                condition=Q(state=PostState.VISIBLE),
            ),
            models.Index(fields=["author", "-created_at"], name="community_thread_author"),
            GinIndex(fields=["search_vector"], name="community_thread_search"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:thread", args=[self.pk])

    @property
    def page_count(self) -> int:
        return max(1, -(-self.last_position // POSTS_PER_PAGE))

    @property
    def reply_count(self) -> int:
        return max(0, self.post_count - 1)


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    position = models.PositiveIntegerField(_("position"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="posts"
    )
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("quoting")
    )
    body_md = models.TextField(_("text"), max_length=POST_MAX)
    body_html = models.TextField(editable=False)
    language = models.CharField(max_length=8, default="fr", editable=False)
    state = models.CharField(max_length=10, choices=PostState.choices, default=PostState.VISIBLE)
    # The netiquette rule a moderator cited when removing the post, shown in its place in the thread.
    removed_rule = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    is_first_of_member = models.BooleanField(_("newcomer's first post"), default=False, editable=False)
    like_count = models.PositiveIntegerField(default=0, editable=False)
    helpful_count = models.PositiveIntegerField(default=0, editable=False)
    edit_count = models.PositiveIntegerField(default=0, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    client_token = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    search_vector = models.GeneratedField(
        expression=models.Case(
            models.When(language="en", then=_tsvector("english", "body_md")),
            default=_tsvector("french", "body_md"),
            output_field=SearchVectorField(),
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["thread", "position"], name="community_post_position_unique"),
            # The token of the form that created the post: a double submit finds the first post.
            models.UniqueConstraint(
                fields=["client_token"],
                condition=Q(client_token__isnull=False),
                name="community_post_client_token",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "-created_at"], name="community_post_author"),
            GinIndex(fields=["search_vector"], name="community_post_search"),
            # The day's visible posts: the reports' rollups of a range of days, "so far today".
            models.Index(
                fields=["created_at"], condition=Q(state="visible"), name="community_post_published"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.thread_id}#{self.position}"

    def get_absolute_url(self) -> str:
        page = (self.position - 1) // POSTS_PER_PAGE + 1
        url = reverse("community:thread", args=[self.thread_id])
        return f"{url}?page={page}#post-{self.position}" if page > 1 else f"{url}#post-{self.position}"

    @property
    def is_visible(self) -> bool:
        return self.state == PostState.VISIBLE


class PostRevision(models.Model):
    """The text a post had before each edit, kept so that edits can be reviewed."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body_md = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")

    def __str__(self) -> str:
        return f"{self.post_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class ReactionKind(models.TextChoices):
    LIKE = "like", _("Like")
    HELPFUL = "helpful", _("Helpful")


class Reaction(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReactionKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="community_reaction_once"),
        ]
        indexes = [models.Index(fields=["user", "post"], name="community_reaction_user")]

    def __str__(self) -> str:
        return f"{self.kind} {self.post_id}"
