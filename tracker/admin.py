"""Administrators' back office: every model, with the engine's status beside each target."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AdminFileWidget, AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history import admin as history_admin

from tracker.figures import plausibility, workflow
from tracker.figures.history import shown_reason
from tracker.figures.numbers import whole_number
from tracker.figures.rights import ANY_ADMINISTRATOR, is_admin, region_of
from tracker.forms import carries_growth, checked_growth, clean_figure
from tracker.indicators import derived
from tracker.models import (
    Area,
    ClosedYear,
    Deadline,
    Department,
    Evaluation,
    EvaluationDeletion,
    FrozenTarget,
    ImportBatch,
    Indicator,
    PendingImport,
    Plan,
    ProgressEntry,
    Publication,
    Region,
    SentMail,
    Series,
    Target,
    localized,
)
from tracker.standings import store
from tracker.standings import words as status
from tracker.text import NOTE_MAX, unstorable


class SimpleHistoryAdmin(history_admin.SimpleHistoryAdmin):
    """simple_history's history pages, where an id that is no key is not found, not a 500
    (its views look the id up as it is; every model here with a history has whole-number
    keys). Each record's reason is shown in the reader's language, where the stored one was."""

    object_history_list_template = "admin/tracker/object_history_list.html"
    history_list_display = ["reason_shown"]

    def history_view(self, request, object_id, extra_context=None):
        if self._hidden(request, object_id):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self._hidden(request, object_id) or whole_number(unquote(version_id)) is None:
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _hidden(self, request, object_id) -> bool:
        """Whether the object's history is not the user's: an id that is no key, or a row
        that exists but is not in what they may see here (`get_queryset`: another region's,
        a figure not approved of another department); simple_history itself looks the row
        up unfiltered."""
        pk = whole_number(unquote(object_id))
        if pk is None:
            return True
        rows = self.model._default_manager.filter(pk=pk)
        return rows.exists() and not self.get_queryset(request).filter(pk=pk).exists()

    @admin.display(description=_("why, in your language"))
    def reason_shown(self, record):
        """A history record's reason in the reader's language (`history_list_display`)."""
        return shown_reason(record.history_change_reason)


class InRegion:
    """What an administrator of one region sees and changes here: the rows of its own
    region's plans (`rights.administers`), as on the app's pages; another region's are
    neither listed nor opened (404), nor offered in a choice. An administrator of every
    region (a superuser, or one whose profile names no region) sees all."""

    region_path = "plan__region"
    CHOICES = {"plan": "region", "target": "plan__region", "region": "pk", "department": "region"}

    def _mine(self, request) -> int | None | bool:
        """The region to keep, None for every region, False for none."""
        if not is_admin(request.user):
            return False
        return region_of(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        mine = self._mine(request)
        if mine is None:
            return queryset
        if mine is False:
            return queryset.none()
        return queryset.filter(**{self.region_path: mine})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        mine = self._mine(request)
        path = self.CHOICES.get(db_field.name)
        if field is not None and path and mine is not None:
            field.queryset = field.queryset.filter(**{path: mine or 0})
        return field


class EveryRegionOnly:
    """What serves every region (the regions themselves, the indicator catalogue) is changed
    by administrators of every region only; one of a single region reads it."""

    def _of_every_region(self, request) -> bool:
        return region_of(request.user) is None

    def has_add_permission(self, request, *args):
        return self._of_every_region(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._of_every_region(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._of_every_region(request) and super().has_delete_permission(request, obj)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or super().has_change_permission(
            request, obj
        )


class ForgetsOnce:
    """Deletes made here forget the stored standings once (tracker/standings/store.py), not once for
    each row a cascade takes with it. Saves forget through the models' signals."""

    def delete_model(self, request, obj):
        with store.batch():
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with store.batch():
            super().delete_queryset(request, queryset)


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0


def start_next_plan(modeladmin, request, queryset):
    """Start the plan that follows the selected one, after a small form (slug, name, years)."""
    from tracker.forms import NextPlanForm
    from tracker.plans.next_plan import start_next_plan as start

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
                ngettext(
                    "%(plan)s started with %(count)d target; baselines from %(year)s. "
                    "Set the target values and factors.",
                    "%(plan)s started with %(count)d targets; baselines from %(year)s. "
                    "Set the target values and factors.",
                    result.targets,
                )
                % {
                    "plan": result.plan,
                    "count": result.targets,
                    "year": result.plan.baseline_year,
                },
            )
            if result.without_baseline or result.achieved_milestones:
                modeladmin.message_user(request, result.explanation(), messages.WARNING)
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


def fill_baselines(modeladmin, request, queryset):
    """Give the selected plans' targets without a baseline the figures approved since."""
    from tracker.plans.next_plan import fill_baselines as fill

    for plan in queryset:
        result = fill(plan, by=request.user)
        modeladmin.message_user(
            request,
            ngettext(
                "%(plan)s: %(count)d baseline filled from %(year)s.",
                "%(plan)s: %(count)d baselines filled from %(year)s.",
                result.targets,
            )
            % {"plan": plan, "count": result.targets, "year": plan.baseline_year},
        )
        if result.without_baseline:
            modeladmin.message_user(request, result.explanation(), messages.WARNING)


fill_baselines.short_description = _(
    "Fill empty baselines from the previous plan's approved figures"
)
fill_baselines.allowed_permissions = ["change"]


# The database's bound on the ahead ratio (Plan's constraint plan_ahead_ratio_in_range).
MOST_AHEAD = Decimal(5)


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent as a record: nothing added, changed or deleted here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PublicationInline(ReadOnlyInline):
    """The plan's record of publications: written by the publishing page only."""

    model = Publication
    fields = ["at", "published", "shown_by", "reason"]
    readonly_fields = fields

    @admin.display(description=_("by"))
    def shown_by(self, obj):
        return obj.shown_by


class PlanAdminForm(forms.ModelForm):
    """A plan's fields, its ratios checked here so that a wrong one is said at its field
    (the database's own check would only say that the ratios are out of order)."""

    def clean(self):
        cleaned = super().clean()
        ahead, on_track = cleaned.get("ahead_ratio"), cleaned.get("on_track_ratio")
        if ahead is not None and on_track is not None and ahead <= on_track:
            self.add_error(
                "ahead_ratio",
                _("The ahead ratio must be above the on-track ratio (%(ratio)s).")
                % {"ratio": plain(on_track)},
            )
        elif ahead is not None and ahead > MOST_AHEAD:
            self.add_error(
                "ahead_ratio",
                _("The ahead ratio is at most %(most)s.") % {"most": plain(MOST_AHEAD)},
            )
        return cleaned


@admin.register(Plan)
class PlanAdmin(InRegion, ForgetsOnce, admin.ModelAdmin):
    region_path = "region"
    list_display = [
        "name",
        "slug",
        "region",
        "baseline_year",
        "start_year",
        "end_year",
        "ahead_ratio",
        "on_track_ratio",
        "behind_ratio",
        "published",
    ]
    list_filter = ["published"]
    search_fields = ["name", "slug", "region__name"]
    list_select_related = ["region"]
    prepopulated_fields = {"slug": ["name_en"]}
    form = PlanAdminForm
    fieldsets = [
        (None, {"fields": ["name", "name_en", "slug", "region", "description"]}),
        (_("Years"), {"fields": ["baseline_year", "start_year", "end_year"]}),
        (
            _("Status thresholds"),
            {
                "fields": ["ahead_ratio", "on_track_ratio", "behind_ratio"],
                "description": _(
                    "A target's progress share against the share the plan's path expects "
                    "by its year: ahead of expectations at or above the ahead ratio, on "
                    "track at or above the on-track ratio, behind at or above the behind "
                    "ratio, seriously behind below it."
                ),
            },
        ),
    ]
    inlines = [AreaInline, PublicationInline]
    actions = [start_next_plan, fill_baselines]


def area_in_plan(area: Area) -> str:
    """An area with its plan: plans started one from another share their areas' names."""
    return _("%(area)s (%(plan)s)") % {"area": area.name, "plan": area.plan}


class AreaInPlanFilter(admin.RelatedFieldListFilter):
    """The target list's filter by area: of the plan chosen in the plan filter, else every
    plan's areas, each named with its plan."""

    def field_choices(self, field, request, model_admin):
        areas = Area.objects.select_related("plan").order_by("plan__start_year", "plan", "order")
        plan = whole_number(request.GET.get("plan__id__exact", ""))
        if plan is not None:
            return [(area.pk, area.name) for area in areas.filter(plan=plan)]
        return [(area.pk, area_in_plan(area)) for area in areas]


@admin.register(Area)
class AreaAdmin(InRegion, ForgetsOnce, admin.ModelAdmin):
    """Areas plan by plan: a plan started from another repeats its areas' names."""

    list_display = ["name", "name_en", "plan", "order"]
    list_display_links = ["name"]
    list_filter = ["plan"]
    list_select_related = ["plan"]
    ordering = ["-plan__start_year", "plan", "order"]
    search_fields = ["name", "name_en", "plan__name", "plan__slug"]


@admin.register(Department)
class DepartmentAdmin(InRegion, ForgetsOnce, admin.ModelAdmin):
    region_path = "region"
    list_display = ["name", "name_en", "region", "member_count", "is_sample"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name", "name_en"]
    filter_horizontal = ["members"]

    @admin.display(description=_("members"))
    def member_count(self, obj):
        return obj.members.count()


def plain(value: Decimal | None) -> str:
    """A figure without trailing zeros: 35, not 35.000000."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def growth_shown(entry) -> str:
    """A figure's growth rate as entered, in percent (3.1%), or "—"."""
    if entry.growth is None:
        return "—"
    return f"{plain(entry.growth)}%"


class PlainDecimalsForm(forms.ModelForm):
    """Shows stored decimals as typed (35), not as the column holds them (35.000000)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.DecimalField) and self.initial.get(name) is not None:
                self.initial[name] = plain(self.initial[name])


def _lock_shown(entry: ProgressEntry) -> str:
    """The locks on a figure that hold even for an administrator, or "—"; an approved
    figure links to its reopen page."""
    lock = entry.lock_reason(ANY_ADMINISTRATOR) if entry.pk else None
    if lock is None:
        return "—"
    if lock.code == "approved":
        url = reverse("tracker:reopen-entry", args=[entry.pk])
        return format_html('{} <a href="{}">{}</a>', lock, url, _("Reopen"))
    return lock


class ProgressEntryInline(admin.TabularInline):
    """A target's figures, read-only: they change through the workflow or their own form."""

    model = ProgressEntry
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["year", "figure", "growth_rate", "quality", "source", "state", "lock"]
    readonly_fields = fields

    def get_queryset(self, request):
        # Those the user may see (`ProgressEntry.objects.visible_to`), as everywhere.
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("value"))
    def figure(self, entry):
        return entry.display_value or "—"

    @admin.display(description=_("growth at comparable prices (%)"))
    def growth_rate(self, entry):
        return growth_shown(entry)

    @admin.display(description=_("lock"))
    def lock(self, entry):
        return _lock_shown(entry)


def _status_years():
    """Each plan's status year as the pages choose it (`Plan.status_year`), to annotate a
    list of targets of any plan: one query per plan, not per target."""
    years = [When(plan_id=plan.pk, then=Value(plan.status_year())) for plan in Plan.objects.all()]
    return Case(*years, default=Value(None), output_field=IntegerField())


@admin.register(Region)
class RegionAdmin(EveryRegionOnly, ForgetsOnce, admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["parent"]


class IndicatorAdminForm(forms.ModelForm):
    """An indicator's fields; growth at comparable prices only where growth is published,
    and what a rank ranks by and among only for a rank."""

    def clean(self):
        cleaned = super().clean()
        rank = cleaned.get("measure") == Indicator.Measure.RANK
        for name in ("rank_of", "rank_among"):
            if cleaned.get(name) is not None and not rank:
                self.add_error(name, _("Only a rank names what it ranks by and among."))
        ranked_by = cleaned.get("rank_of")
        if ranked_by is not None and self.instance.pk and ranked_by.pk == self.instance.pk:
            self.add_error("rank_of", _("A rank cannot be of itself."))
        amount = cleaned.get("measure") == Indicator.Measure.AMOUNT
        if cleaned.get("comparable_growth") and not (amount and not cleaned.get("formula")):
            self.add_error(
                "comparable_growth",
                _(
                    "Only an amount that is typed in (not computed) has its growth published "
                    "at comparable prices."
                ),
            )
        return cleaned


@admin.register(Indicator)
class IndicatorAdmin(EveryRegionOnly, ForgetsOnce, admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "unit",
        "measure",
        "decimal_places",
        "comparable_growth",
        "formula",
    ]
    list_filter = ["measure", "comparable_growth", "formula"]
    form = IndicatorAdminForm
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["numerator", "denominator", "rank_of", "rank_among"]
    filter_horizontal = ["addends"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    ("name", "name_en"),
                    ("unit", "unit_en"),
                    "measure",
                    "decimal_places",
                    "definition",
                    "source",
                    "comparable_growth",
                ]
            },
        ),
        (
            _("Derived"),
            {"fields": ["formula", "numerator", "denominator", "scale", "addends"]},
        ),
        (
            _("Rank"),
            {
                "fields": ["rank_of", "rank_among"],
                "description": _(
                    "For a published rank: the indicator the regions are ranked by and the "
                    "region whose units are ranked. Where every unit's figure of it is "
                    "approved, the comparison of that region computes the rank beside the "
                    "published one."
                ),
            },
        ),
    ]

    def save_related(self, request, form, formsets, change):
        # Once the formula and its addends are saved: compute every figure it allows now.
        super().save_related(request, form, formsets, change)
        with store.batch():
            derived.derive_all(form.instance)


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    """A region's figures of one indicator, read-only here: they change through the
    workflow, the entry page or a figure's own form."""

    list_display = ["indicator", "region"]
    list_filter = ["region"]
    search_fields = ["indicator__code", "indicator__name"]
    list_select_related = ["indicator", "region"]
    readonly_fields = ["region", "indicator"]
    inlines = [ProgressEntryInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TargetAdminForm(PlainDecimalsForm):
    """A target's fields; its area is chosen among its plan's areas."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("area")
        if field is None:
            return
        plan = whole_number(str(self.data.get(self.add_prefix("plan")) or ""))
        plan = plan or self.instance.plan_id or whole_number(str(self.initial.get("plan") or ""))
        areas = Area.objects.select_related("plan").order_by("plan__start_year", "plan", "order")
        if plan:
            field.queryset = areas.filter(plan=plan)
        else:
            # A new target before its plan is chosen: every plan's areas, named with it.
            field.queryset = areas
            field.label_from_instance = area_in_plan


@admin.register(Target)
class TargetAdmin(InRegion, ForgetsOnce, SimpleHistoryAdmin):
    list_display = ["code", "name", "plan", "area", "kind", "nature", "lead_department", "status"]
    list_display_links = ["code", "name"]
    list_filter = ["plan", ("area", AreaInPlanFilter), "lead_department", "kind", "nature"]
    # A plan's name or slug among the words finds its targets (what a figure is added to).
    search_fields = ["code", "name", "name_en", "plan__name", "plan__slug"]
    autocomplete_fields = ["reference_target", "indicator"]
    filter_horizontal = ["co_departments"]
    readonly_fields = ["statistic", "figures"]
    form = TargetAdminForm
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "plan",
                    "area",
                    "indicator",
                    "statistic",
                    "figures",
                    "code",
                    "order",
                    "name",
                    "name_en",
                    "unit",
                    "unit_en",
                ]
            },
        ),
        (
            _("What is measured"),
            {
                "fields": [
                    "kind",
                    "basis",
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
                    "baseline_reason",
                    "target_year",
                    "target_value",
                    "factor",
                    "baseline_source",
                ]
            },
        ),
        (
            _("Responsibility"),
            {"fields": ["lead_department", "co_departments", "co_departments_may_enter"]},
        ),
        (
            _("Plausibility checks"),
            {"fields": ["plausible_factor", "plausible_minimum", "plausible_maximum"]},
        ),
        (_("Source"), {"fields": ["source_text", "data_source", "notes"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("plan", "area", "lead_department")
            .with_entries(request.user)
            .annotate(status_year=_status_years())
        )

    def has_delete_permission(self, request, obj=None):
        # Its figures are the region's and stay; a target that reads some is kept, so no
        # figure is left without a plan reading it.
        if obj is not None and obj.series_id and obj.entries.exists():
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("figures"))
    def figures(self, obj):
        """The region's figures the target reads, each linked to its own form."""
        figures = sorted((e for e in obj.entries.all() if obj.reads(e)), key=lambda e: e.year)
        if not figures:
            return "—"
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td class="num">{}</td><td class="num">{}</td>'
            "<td>{}</td><td>{}</td></tr>",
            (
                (
                    reverse("admin:tracker_progressentry_change", args=[entry.pk]),
                    entry.year,
                    entry.display_value or "—",
                    growth_shown(entry) if entry.growth is not None else "",
                    entry.get_quality_display(),
                    entry.get_state_display(),
                )
                for entry in figures
            ),
        )
        header = format_html_join(
            "",
            "<th>{}</th>",
            (
                (label,)
                for label in (
                    _("year"),
                    _("value"),
                    _("growth at comparable prices (%)"),
                    _("data quality"),
                    _("state"),
                )
            ),
        )
        return format_html("<table><tr>{}</tr>{}</table>", header, rows)

    @admin.display(description=_("statistic"))
    def statistic(self, obj):
        """The region's figures the target reads, where they are entered and approved."""
        if not obj.series_id:
            return "—"
        url = reverse("admin:tracker_series_change", args=[obj.series_id])
        return format_html('<a href="{}">{}</a>', url, obj.series)

    @admin.display(description=_("status"))
    def status(self, obj):
        year = obj.status_year or obj.plan.status_year()
        return status.badge(obj.assess(year).status)


@admin.action(description=_("Approve the selected figures"))
def approve_entries(modeladmin, request, queryset):
    """Approve each selected figure the rules allow; say why for every one refused.

    Questioned figures are left to the approvals page, which shows their findings and asks first.
    """
    questioned = queryset.filter(state=ProgressEntry.State.SUBMITTED).exclude(plausibility_flag="")
    left_out = questioned.count()
    if left_out:
        messages.warning(
            request,
            ngettext(
                "%(count)d questioned figure was left out: approve it on the approvals page.",
                "%(count)d questioned figures were left out: approve them on the approvals page.",
                left_out,
            )
            % {"count": left_out},
        )
        queryset = queryset.exclude(pk__in=questioned.values("pk"))
    approved, refused = 0, []
    entries = list(queryset.select_related("series__indicator", "reviewed_by"))
    for entry in entries:
        try:
            workflow.approve(entry, by=request.user, version=entry.version)
        except workflow.Refused as refusal:
            refused.append(str(refusal))
        else:
            approved += 1
    if approved:
        messages.success(
            request,
            ngettext("%(count)d figure approved.", "%(count)d figures approved.", approved)
            % {"count": approved},
        )
    else:
        messages.warning(request, _("Nothing was approved."))
    for reason in refused[:20]:
        messages.warning(request, reason)
    if len(refused) > 20:
        more = len(refused) - 20
        messages.warning(
            request,
            ngettext("… and %(count)d more refused.", "… and %(count)d more refused.", more)
            % {"count": more},
        )


class EvidenceDownload:
    """A stored evidence file, linked to the app's download view: /media/ is not served."""

    def __init__(self, file):
        self.name = file.instance.evidence_filename
        self.url = reverse("tracker:evidence", args=[file.instance.pk])

    def __str__(self) -> str:
        return self.name


class EvidenceWidget(AdminFileWidget):
    def format_value(self, value):
        value = super().format_value(value)
        return EvidenceDownload(value) if value and value.instance.pk else value


# What a figure says, as an administrator edits it.
FIGURE_FIELDS = [
    "value",
    "growth",
    "achieved",
    "quality",
    "growth_quality",
    "source",
    "growth_source",
    "note",
    "note_public",
]


def target_in_plan(target: Target) -> str:
    """A target with its plan: plans of one region target the same indicators."""
    return _("%(target)s (%(plan)s)") % {"target": target, "plan": target.plan}


class TargetsWithPlans(AutocompleteJsonView):
    """The admin's search-as-you-type answers, a target named with its plan."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Target):
            result["text"] = target_in_plan(obj)
        return result


def autocomplete_view(request):
    return TargetsWithPlans.as_view(admin_site=admin.site)(request)


# Read when the site's URLs are built (lingyuan/urls.py), after this module is loaded.
admin.site.autocomplete_view = autocomplete_view


class TargetChoiceField(forms.ModelChoiceField):
    """A target chosen by typing its code, name or plan, and shown with its plan."""

    def label_from_instance(self, obj):
        return target_in_plan(obj)


class ProgressEntryAdminForm(PlainDecimalsForm):
    """A figure's fields as an administrator may change them, with the reason required."""

    change_reason = forms.CharField(
        label=_("Reason for this change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Kept in the figure's history, with your name."),
    )
    read_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    target = TargetChoiceField(
        Target.objects.select_related("plan"),
        label=_("target"),
        required=False,
        # Searched as the deadlines' target is: by code, name or plan (TargetAdmin).
        widget=AutocompleteSelect(Deadline._meta.get_field("target"), admin.site),
        help_text=_(
            "Type the target's code, name or plan to choose it. The figure is its region's, "
            "shared by every plan of the region that targets the indicator."
        ),
    )

    user = None  # set by ProgressEntryAdmin.get_form

    class Meta:
        model = ProgressEntry
        fields = ["year", *FIGURE_FIELDS, "evidence", "is_sample"]
        widgets = {"evidence": EvidenceWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["read_version"].initial = self.instance.version if self.instance.pk else 0
        if "target" in self.fields and self.user is not None:
            # Only targets whose figures this person may enter can be chosen.
            targets = Target.objects.editable_by(self.user).select_related("plan")
            self.fields["target"].queryset = targets

    def clean_change_reason(self):
        reason = self.cleaned_data["change_reason"].strip()
        if not reason:
            raise ValidationError(_("Give a reason."), code="required")
        return reason

    def clean_value(self):
        """The same rules as the entry page: the target's decimal places and sign."""
        value = self.cleaned_data.get("value")
        target = self._target()
        if value is not None and target is not None:
            clean_figure(plain(value), target)
        return value

    def clean_growth(self):
        """A growth rate in percent, as published (增长3.1% is 3.1, a fall -2.5), by the
        entry page's rules: never -100 or below, which would leave nothing."""
        growth = self.cleaned_data.get("growth")
        return None if growth is None else checked_growth(growth, plain(growth))

    def _check_figure(self, target, cleaned) -> None:
        """What a figure must give: a milestone whether it is achieved; any other target its
        level, its growth rate or both, the rate only where its indicator carries one."""
        value, growth = cleaned.get("value"), cleaned.get("growth")
        if target.is_milestone:
            if value is not None:
                self.add_error("value", _("A milestone is achieved or not; it has no value."))
            if growth is not None:
                self.add_error("growth", _("A milestone is achieved or not; it has no growth."))
            if cleaned.get("achieved") is None and "achieved" not in self.errors:
                self.add_error("achieved", _("Say whether the milestone is achieved."))
            return
        if cleaned.get("achieved") is not None:
            self.add_error("achieved", _("Only a milestone is achieved or not; give a value."))
        growing = carries_growth(target)
        if growth is not None and not growing:
            # As the entry page says it.
            self.add_error(
                "growth",
                _("%(target)s takes no growth rate: enter its figure in %(unit)s.")
                % {"target": target.display_name, "unit": localized(target, "unit") or "—"},
            )
        elif value is None and growth is None and not {"value", "growth"} & set(self.errors):
            message = (
                _("Give the level, the growth rate at comparable prices, or both.")
                if growing
                else _("Give the value.")
            )
            self.add_error("value" if "value" in self.fields else None, message)
        if growth is None:
            cleaned["growth_quality"] = ""
        elif not cleaned.get("growth_quality"):
            # Published with the level, as a bulletin gives both: of the same quality.
            cleaned["growth_quality"] = cleaned.get("quality") or self.instance.quality

    def _target(self):
        if self.instance.pk:
            return self.instance.target
        return self.cleaned_data.get("target")

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("target"):
            self.add_error("target", _("Choose the target the figure is for."))
            return cleaned
        target = self._target()
        if target is not None:
            self._check_figure(target, cleaned)
        if self.instance.pk:
            stored = ProgressEntry.objects.get(pk=self.instance.pk)
            if stored.version != (cleaned.get("read_version") or 0):
                raise ValidationError(
                    _("The figure was changed meanwhile; reload the page."), code="stale"
                )
        elif cleaned.get("year"):
            self.instance.target = cleaned["target"]
            stored = ProgressEntry(target=cleaned["target"], year=cleaned["year"])
        else:
            return cleaned
        lock = stored.lock_reason(self.user)
        if lock:
            raise ValidationError(str(lock), code=lock.code)
        return cleaned


@admin.register(ProgressEntry)
class ProgressEntryAdmin(SimpleHistoryAdmin):
    """Figures change here only through the same rules: state by the workflow actions,
    closed years and approved figures read-only, a reason for every change."""

    form = ProgressEntryAdminForm
    list_display = [
        "series",
        "year",
        "figure",
        "growth_shown",
        "quality",
        "state",
        "entered_by",
        "updated_at",
        "is_sample",
    ]
    list_filter = [
        "series__region",
        "series__targets__plan",
        "state",
        "quality",
        "year",
        "series__targets__lead_department",
        "is_sample",
    ]
    search_fields = ["series__indicator__code", "series__indicator__name"]
    list_select_related = ["series__region", "series__indicator", "entered_by"]
    actions = [approve_entries]
    WORKFLOW_FIELDS = [
        "state",
        "return_reason",
        "entered_by",
        "reviewed_by",
        "reviewed_at",
        "version",
        "updated_at",
        "lock",
    ]

    FIGURE_FIELDS = FIGURE_FIELDS
    # Shown where a figure cannot be changed: its level and growth as entered.
    SHOWN_FIELDS = {"value": "figure", "growth": "growth_shown"}

    def get_fields(self, request, obj=None):
        figure = self._figure_fields(obj)
        if obj is not None and not self.has_change_permission(request, obj):
            shown = [self.SHOWN_FIELDS.get(name, name) for name in figure]
            return [
                "lock",
                "series",
                "year",
                *shown,
                "evidence_file",
                "is_sample",
                *self.WORKFLOW_FIELDS[:-1],
            ]
        first = ["target"] if obj is None else ["series"]
        return [
            *first,
            "year",
            *figure,
            "evidence",
            "is_sample",
            "change_reason",
            "read_version",
            *self.WORKFLOW_FIELDS,
        ]

    def _figure_fields(self, obj) -> list[str]:
        """The fields of a figure of this kind: a milestone's achieved, an amount's level
        and growth rate with their quality and source, any other value its value."""
        fields = list(self.FIGURE_FIELDS)
        if obj is None:
            return fields  # the target is chosen in the form: its rules apply on saving
        indicator = obj.indicator
        if indicator.is_milestone:
            drop = {"value", "growth", "growth_quality", "growth_source"}
        elif indicator.carries_growth:
            drop = {"achieved"}
        else:
            drop = {"achieved", "growth", "growth_quality", "growth_source"}
        if obj.growth is not None:
            # A rate stored before the indicator changed stays visible, to be cleared.
            drop -= {"growth", "growth_quality", "growth_source"}
        return [name for name in fields if name not in drop]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.WORKFLOW_FIELDS
        return ["series", "year", "figure", "growth_shown", "evidence_file", *self.WORKFLOW_FIELDS]

    @admin.display(description=_("evidence"))
    def evidence_file(self, entry):
        if not entry.evidence:
            return "—"
        download = EvidenceDownload(entry.evidence)
        return format_html('<a href="{}">{}</a>', download.url, download)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_queryset(self, request):
        # The figures the user may see (`ProgressEntry.objects.visible_to`): another
        # region's unapproved ones are not found here either.
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or obj.lock_reason(request.user) is None

    def has_delete_permission(self, request, obj=None):
        # A figure is corrected (with a reason) or reopened, never silently deleted.
        return False

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied(_("Figures are not restored from their history here."))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except workflow.Refused as refusal:
            # The year closed, or the figure changed or was created by somebody else, after
            # the form's own checks: nothing was saved (the transaction rolled back).
            self.message_user(request, str(refusal), messages.ERROR)
            return redirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        # A figure changed here is questioned as on the entry page; the reason for the
        # change stands as its explanation, and the approver sees the flag.
        findings = []
        if "value" in form.changed_data:
            if obj.value is not None:
                findings = obj.target.check_figure(obj.value, obj.year)
            obj.plausibility_flag, obj.plausibility_note = plausibility.explained_flag(
                findings, form.cleaned_data["change_reason"]
            )
        if findings:
            messages.warning(
                request,
                _("Questioned, and flagged for the approver: %(findings)s")
                % {"findings": plausibility.flag_display(obj.plausibility_flag)},
            )
        workflow.admin_edit(
            obj,
            by=request.user,
            reason=form.cleaned_data["change_reason"],
            version=form.cleaned_data.get("read_version") or 0,
        )

    @admin.display(description=_("value"), ordering="value")
    def figure(self, entry):
        return entry.display_value or "—"

    @admin.display(description=_("growth at comparable prices (%)"), ordering="growth")
    def growth_shown(self, entry):
        return growth_shown(entry)

    @admin.display(description=_("lock"))
    def lock(self, entry):
        return _lock_shown(entry)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the app's own pages, shown here for reference only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ClosedYear)
class ClosedYearAdmin(InRegion, SimpleHistoryAdmin, ReadOnlyAdmin):
    region_path = "region"
    """Years are closed and reopened (with a reason) on the approvals page, not here."""

    list_display = ["plan", "year", "closed_by", "closed_at", "reason"]
    list_filter = ["plan", "year"]

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True


@admin.register(ImportBatch)
class ImportBatchAdmin(InRegion, ReadOnlyAdmin):
    """Imports are reverted on the import page, which checks the figures and the years."""

    def has_delete_permission(self, request, obj=None):
        return False

    list_display = [
        "file_name",
        "plan",
        "imported_by",
        "created_at",
        "new_count",
        "changed_count",
        "unchanged_count",
        "state",
        "sha256",
    ]
    list_filter = ["plan", "state"]
    search_fields = ["file_name", "sha256"]


@admin.register(PendingImport)
class PendingImportAdmin(InRegion, ReadOnlyAdmin):
    list_display = ["file_name", "kind", "plan", "user", "created_at"]
    exclude = ["payload"]


# -- deadlines and mail (tracker/reminders/deadlines.py, tracker/reminders/mail.py) --------------


@admin.register(Deadline)
class DeadlineAdmin(InRegion, admin.ModelAdmin):
    list_display = ["plan", "year", "target", "due", "note"]
    list_filter = ["plan", "year"]
    search_fields = ["plan__name", "target__code", "target__name", "note"]
    autocomplete_fields = ["target"]
    date_hierarchy = "due"


@admin.register(SentMail)
class SentMailAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "kind", "user", "address", "subject"]
    list_filter = ["kind", "sent_on"]
    search_fields = ["user__username", "address", "subject"]
    readonly_fields = [f.name for f in SentMail._meta.fields]


class FrozenTargetInline(ReadOnlyInline):
    model = FrozenTarget
    fields = ["position", "code", "frozen_status", "explanation"]
    readonly_fields = fields

    @admin.display(description=_("status"))
    def frozen_status(self, obj):
        return status.badge(obj.status)


@admin.register(Publication)
class PublicationAdmin(InRegion, ReadOnlyAdmin):
    """Plans are published and withdrawn, with a reason, on the plan's publishing page."""

    list_display = ["plan", "published", "at", "shown_by", "reason"]
    list_filter = ["published", "plan"]
    search_fields = ["plan__name", "plan__slug", "reason"]
    list_select_related = ["plan", "by"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("by"))
    def shown_by(self, obj):
        return obj.shown_by


@admin.register(Evaluation)
class EvaluationAdmin(InRegion, admin.ModelAdmin):
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
        reason = unstorable(request.POST.get("reason", ""), NOTE_MAX)
        if request.method == "POST" and reason:
            self.message_user(request, f"{reason} {_('Nothing was deleted.')}", messages.ERROR)
            return redirect(request.path)
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        from tracker.plans import evaluations

        evaluations.delete(obj, by=request.user, reason=request.POST["reason"])


@admin.register(EvaluationDeletion)
class EvaluationDeletionAdmin(InRegion, ReadOnlyAdmin):
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
