"""Filters of the dashboard table."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracker.models import Area, Department, Target
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
