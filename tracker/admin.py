"""Administrators' back office: every model, with the engine's status beside each target."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Max, OuterRef, Subquery
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tracker import status
from tracker.models import (
    Area,
    ClosedYear,
    Department,
    Evaluation,
    EvaluationDeletion,
    FrozenTarget,
    ImportBatch,
    PendingImport,
    Plan,
    ProgressEntry,
    Target,
)


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0


def start_next_plan(modeladmin, request, queryset):
    """Start the plan that follows the selected one, after a small form (slug, name, years)."""
    from tracker.forms import NextPlanForm
    from tracker.next_plan import start_next_plan as start

    if queryset.count() != 1:
        modeladmin.message_user(
            request, _("Select exactly one plan to start the next from."), messages.ERROR
        )
        return None
    source = queryset.get()
    form = NextPlanForm(request.POST if "apply" in request.POST else None, source=source)
    if form.is_valid():
        try:
            result = start(source=source, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            modeladmin.message_user(
                request,
                _(
                    "%(plan)s started with %(count)d targets; baselines from %(year)s. "
                    "Set the target values and factors."
                )
                % {
                    "plan": result.plan,
                    "count": result.targets,
                    "year": result.plan.baseline_year,
                },
            )
            return redirect(reverse("admin:tracker_plan_change", args=[result.plan.pk]))
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Start the next plan from %(plan)s") % {"plan": source},
        "source": source,
        "form": form,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/tracker/plan/start_next_plan.html", context)


start_next_plan.short_description = _("Start the next plan from the selected plan")
start_next_plan.allowed_permissions = ["add"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "region", "baseline_year", "start_year", "end_year"]
    search_fields = ["name", "slug", "region"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [AreaInline]
    actions = [start_next_plan]


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
class TargetAdmin(SimpleHistoryAdmin):
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
                    "baseline_source",
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
class ProgressEntryAdmin(SimpleHistoryAdmin):
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the app's own pages, shown here for reference only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ClosedYear)
class ClosedYearAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["plan", "year", "closed_by", "closed_at", "reason"]
    list_filter = ["plan", "year"]


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


class FrozenTargetInline(admin.TabularInline):
    model = FrozenTarget
    fields = ["position", "code", "frozen_status", "explanation"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("status"))
    def frozen_status(self, obj):
        return status.badge(obj.status)


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    """Frozen as published: nobody edits one; only a superuser deletes one, giving a reason."""

    list_display = ["title", "plan", "kind", "year", "date", "frozen_by", "frozen_at"]
    list_filter = ["plan", "kind", "year"]
    search_fields = ["title", "summary"]
    exclude = ["frozen_plan"]
    readonly_fields = ["page"]
    inlines = [FrozenTargetInline]

    @admin.display(description=_("page"))
    def page(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST" and not request.POST.get("reason", "").strip():
            self.message_user(request, _("Give a reason; nothing was deleted."), messages.ERROR)
            return redirect(request.path)
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        from tracker import evaluations

        evaluations.delete(obj, by=request.user, reason=request.POST["reason"])


@admin.register(EvaluationDeletion)
class EvaluationDeletionAdmin(ReadOnlyAdmin):
    list_display = [
        "description",
        "plan",
        "evaluation_number",
        "deleted_by",
        "deleted_at",
        "reason",
    ]
    list_filter = ["plan"]

    def has_delete_permission(self, request, obj=None):
        return False
