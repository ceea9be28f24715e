"""Administrators' back office: every model, with the engine's status beside each target."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tracker import status, store
from tracker.models import (
    Area,
    ClosedYear,
    Department,
    ImportBatch,
    PendingImport,
    Plan,
    ProgressEntry,
    Target,
)


class ForgetsStandings:
    """Changes made here drop the stored standings they could change (tracker/store.py):
    after a save, and before a delete (the rows measured against a deleted target go too)."""

    def forget(self, objects) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.forget([obj])

    def delete_model(self, request, obj):
        self.forget([obj])
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        self.forget(list(queryset))
        super().delete_queryset(request, queryset)


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0


@admin.register(Plan)
class PlanAdmin(ForgetsStandings, admin.ModelAdmin):
    list_display = ["name", "slug", "region", "baseline_year", "start_year", "end_year"]
    search_fields = ["name", "slug", "region"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [AreaInline]

    def forget(self, objects):
        for plan in objects:
            store.forget(plan=plan)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "plan", "order"]
    list_filter = ["plan"]
    search_fields = ["name", "name_en"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "member_count", "is_sample"]
    search_fields = ["name", "name_en"]
    filter_horizontal = ["members"]

    @admin.display(description=_("members"))
    def member_count(self, obj):
        return obj.members.count()


def _bump_version(entry: ProgressEntry) -> None:
    """An edit here moves the figure's version on, so forms opened before it are refused."""
    if entry.pk:
        stored = ProgressEntry.objects.filter(pk=entry.pk).values_list("version", flat=True)
        entry.version = (stored.first() or 0) + 1


class ProgressEntryInline(admin.TabularInline):
    model = ProgressEntry
    extra = 0
    fields = ["year", "value", "achieved", "quality", "state", "return_reason", "note", "evidence"]


def _latest_approved_year_in_plan():
    return Subquery(
        ProgressEntry.objects.approved()
        .filter(target__plan=OuterRef("plan"))
        .values("target__plan")
        .annotate(latest=Max("year"))
        .values("latest")
    )


@admin.register(Target)
class TargetAdmin(ForgetsStandings, SimpleHistoryAdmin):
    list_display = ["code", "name", "plan", "area", "kind", "nature", "lead_department", "status"]
    list_display_links = ["code", "name"]
    list_filter = ["plan", "area", "lead_department", "kind", "nature"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["reference_target"]
    filter_horizontal = ["co_departments"]
    inlines = [ProgressEntryInline]
    fieldsets = [
        (None, {"fields": ["plan", "area", "code", "order", "name", "name_en", "unit"]}),
        (
            _("What is measured"),
            {
                "fields": [
                    "kind",
                    "direction",
                    "nature",
                    "decimal_places",
                    "allow_negative",
                    "reference_target",
                ]
            },
        ),
        (
            _("Baseline and target"),
            {
                "fields": [
                    "baseline_year",
                    "baseline_value",
                    "baseline_quality",
                    "target_year",
                    "target_value",
                    "factor",
                ]
            },
        ),
        (_("Responsibility"), {"fields": ["lead_department", "co_departments"]}),
        (_("Source"), {"fields": ["source_text", "data_source", "notes"]}),
    ]

    def save_formset(self, request, form, formset, change):
        for entry_form in formset.forms:
            if isinstance(entry_form.instance, ProgressEntry) and entry_form.has_changed():
                _bump_version(entry_form.instance)
        super().save_formset(request, form, formset, change)
        self.forget([form.instance])

    def forget(self, objects):
        store.forget(targets=objects)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("plan", "area", "lead_department")
            .with_entries()
            .annotate(status_year=_latest_approved_year_in_plan())
        )

    @admin.display(description=_("status"))
    def status(self, obj):
        year = obj.status_year or obj.plan.start_year
        return status.badge(obj.assess(year).status)


def approve_entries(modeladmin, request, queryset):
    from tracker import services

    count = services.approve_entries(queryset, by=request.user)
    modeladmin.message_user(request, _("%(count)d figures approved.") % {"count": count})


approve_entries.short_description = _("Approve the selected figures")


@admin.register(ProgressEntry)
class ProgressEntryAdmin(ForgetsStandings, SimpleHistoryAdmin):
    list_display = [
        "target",
        "year",
        "value",
        "achieved",
        "quality",
        "state",
        "entered_by",
        "updated_at",
        "is_sample",
    ]
    list_filter = [
        "target__plan",
        "state",
        "quality",
        "year",
        "target__lead_department",
        "is_sample",
    ]
    search_fields = ["target__code", "target__name"]
    list_select_related = ["target", "target__plan", "entered_by"]
    raw_id_fields = ["target"]
    readonly_fields = ["entered_by", "updated_at", "version"]
    actions = [approve_entries]

    def save_model(self, request, obj, form, change):
        _bump_version(obj)
        super().save_model(request, obj, form, change)

    def forget(self, objects):
        store.forget(targets={entry.target_id for entry in objects})


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the app's own pages, shown here for reference only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ClosedYear)
class ClosedYearAdmin(ForgetsStandings, SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["plan", "year", "closed_by", "closed_at", "reason"]
    list_filter = ["plan", "year"]

    def forget(self, objects):
        for closed in objects:
            store.forget(plan=closed.plan)


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "plan", "imported_by", "created_at", "new_count",
                    "changed_count", "unchanged_count", "state", "sha256"]  # fmt: skip
    list_filter = ["plan", "state"]
    search_fields = ["file_name", "sha256"]


@admin.register(PendingImport)
class PendingImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "kind", "plan", "user", "created_at"]
    exclude = ["payload"]
