from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from community.models import Post, PostRevision, Space, Thread
from community.services import archiving, visibility
from community.services import forum as services


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "order",
        "visibility",
        "premoderated",
        "is_introductions",
        "archive_after_days",
        "thread_count",
        "post_count",
    ]
    list_editable = ["order"]
    list_filter = ["visibility", "premoderated"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    readonly_fields = ["thread_count", "post_count", "last_activity_at"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # Its name, description or objective shows on its pages at once.
        visibility.space_touch(obj.pk)


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "space",
        "author",
        "state",
        "pinned",
        "locked",
        "featured_at",
        "archived_at",
        "post_count",
        "created_at",
    ]
    list_filter = ["space", "state", "pinned", "locked", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["title"]
    date_hierarchy = "created_at"
    list_select_related = ["space", "author"]
    raw_id_fields = ["author"]
    # Moving a thread, choosing its best answer or its state go through the site's services, which keep
    # the counters and the rules in step.
    readonly_fields = [
        "space",
        "state",
        "solution",
        "post_count",
        "last_position",
        "last_activity_at",
        "view_count",
        "welcomed_at",
        "archived_at",
    ]
    fields = ["title", "author", "pinned", "locked", "featured_at", *readonly_fields]
    actions = ["pin", "unpin", "lock", "unlock", "feature", "unfeature", "archive", "unarchive"]
    show_full_result_count = False

    def _flags(self, request, queryset, **flags) -> None:
        for thread in queryset:
            services.thread_update_flags(actor=request.user, thread=thread, **flags)
        self.message_user(request, _("The threads are updated."), messages.SUCCESS)

    @admin.action(description=_("Pin the selected threads"))
    def pin(self, request, queryset):
        self._flags(request, queryset, pinned=True)

    @admin.action(description=_("Unpin the selected threads"))
    def unpin(self, request, queryset):
        self._flags(request, queryset, pinned=False)

    @admin.action(description=_("Lock the selected threads"))
    def lock(self, request, queryset):
        self._flags(request, queryset, locked=True)

    @admin.action(description=_("Unlock the selected threads"))
    def unlock(self, request, queryset):
        self._flags(request, queryset, locked=False)

    @admin.action(description=_("Feature the selected threads on the home page"))
    def feature(self, request, queryset):
        self._flags(request, queryset, featured=True)

    @admin.action(description=_("Stop featuring the selected threads"))
    def unfeature(self, request, queryset):
        self._flags(request, queryset, featured=False)

    @admin.action(description=_("Archive the selected threads (read-only, out of the active lists)"))
    def archive(self, request, queryset):
        for thread in queryset:
            archiving.thread_archive(actor=request.user, thread=thread)
        self.message_user(request, _("The threads are archived."), messages.SUCCESS)

    @admin.action(description=_("Unarchive the selected threads"))
    def unarchive(self, request, queryset):
        for thread in queryset:
            archiving.thread_unarchive(actor=request.user, thread=thread)
        self.message_user(request, _("The threads are open again."), messages.SUCCESS)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # A title, author, pin, lock or feature changed here shows on the thread's next reading.
        visibility.thread_touch(obj.pk, listed=True)

    def has_add_permission(self, request) -> bool:
        # Threads are started on the site, where their first post is written.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # A hard delete would leave space and member counters wrong: delete the first post on the site.
        return False


class RevisionInline(admin.TabularInline):
    model = PostRevision
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "edited_by", "body_md"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "state", "created_at", "edit_count", "like_count", "helpful_count"]
    list_filter = ["state"]
    search_fields = ["body_md"]
    list_select_related = ["author"]
    raw_id_fields = ["thread", "author", "reply_to"]
    readonly_fields = [f.name for f in Post._meta.fields if f.name not in {"search_vector"}]
    exclude = ["search_vector"]
    inlines = [RevisionInline]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Edits go through the site's edit form, which keeps the history and re-renders the text.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting on the site keeps the slot ("deleted") and the counters in step.
        return False
