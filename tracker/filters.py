"""Filters of the dashboard table and of the approvals page."""

from __future__ import annotations

import django_filters
from django.db.models import Max, Min, Q
from django.utils.translation import gettext_lazy as _

from tracker.models import Area, Department, Plan, ProgressEntry, Target
from tracker.standings import words as status

ALL = _("All")


class TargetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    area = django_filters.ModelChoiceFilter(
        label=_("Area"), queryset=Area.objects.none(), empty_label=ALL
    )
    lead_department = django_filters.ModelChoiceFilter(
        label=_("Lead department"), queryset=Department.objects.all(), empty_label=ALL
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=status.CHOICES, method="filter_status", empty_label=ALL
    )
    nature = django_filters.ChoiceFilter(
        label=_("Nature"), choices=Target.Nature.choices, empty_label=ALL
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Target.Kind.choices, empty_label=ALL
    )

    class Meta:
        model = Target
        fields = ["q", "area", "lead_department", "status", "nature", "kind"]

    def __init__(self, data=None, *args, plan, **kwargs):
        """Filters `queryset`, the plan's targets from tracker.standings.store.with_standing()."""
        super().__init__(data, *args, **kwargs)
        self.filters["area"].queryset = Area.objects.filter(plan=plan)
        for field in self.form.fields.values():
            if hasattr(field, "label_from_instance"):
                field.label_from_instance = lambda obj: obj.display_name

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(name_en__icontains=value)
        )

    def filter_status(self, queryset, name, value):
        return queryset.filter(stored_status=value)


def _plan_years() -> list[tuple[int, int]]:
    """Every year some plan keeps figures for, latest first: a year stays a choice after its
    last figure is approved, so a filtered page stays filtered."""
    span = Plan.objects.aggregate(first=Min("baseline_year"), last=Max("end_year"))
    if span["first"] is None:
        return []
    return [(year, year) for year in range(span["last"], span["first"] - 1, -1)]


class ApprovalFilter(django_filters.FilterSet):
    """Narrows the figures awaiting approval to a plan, a lead department and a year.

    A plan's figures are read through its own targets (`of_plan`); a department is the one
    leading the target, in the chosen plan if there is one.
    """

    plan = django_filters.ModelChoiceFilter(
        label=_("Plan"),
        queryset=Plan.objects.all(),
        to_field_name="slug",
        empty_label=ALL,
        method="filter_plan",
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Lead department"),
        queryset=Department.objects.none(),
        empty_label=ALL,
        method="filter_department",
    )
    year = django_filters.ChoiceFilter(label=_("Year"), choices=_plan_years, empty_label=ALL)

    class Meta:
        model = ProgressEntry
        fields = ["plan", "department", "year"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        # The plans `user` approves in, and the departments leading a target of them (of the
        # plan chosen): a choice stays after its last figure is approved, so a filtered page
        # stays filtered.
        plans = Plan.objects.administered_by(user)
        self.filters["plan"].queryset = plans
        leading = {"led_targets__plan__slug": data.get("plan")} if data and data.get("plan") else {}
        departments = Department.objects.filter(
            led_targets__isnull=False, led_targets__plan__in=plans, **leading
        ).distinct()
        self.filters["department"].queryset = departments.select_related("region")
        # Where the departments are of several regions, each is named with its region.
        several = departments.values("region").distinct().count() > 1
        for name, field in self.form.fields.items():
            if name == "department" and several:
                field.label_from_instance = lambda obj: (
                    f"{obj.region.display_name} · {obj.display_name}"
                )
            elif hasattr(field, "label_from_instance"):
                field.label_from_instance = lambda obj: obj.display_name

    def filter_plan(self, queryset, name, value):
        return queryset.of_plan(value)

    def filter_department(self, queryset, name, value):
        targets = Target.objects.filter(lead_department=value)
        plan = self.form.cleaned_data.get("plan")
        if plan is not None:
            targets = targets.filter(plan=plan)
        return queryset.filter(series__in=targets.values("series"))
