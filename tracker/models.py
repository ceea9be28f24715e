"""Plans, their areas and targets, departments, and the yearly progress entries."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker import progress

FIGURE = {"max_digits": 20, "decimal_places": 6}


class Quality(models.TextChoices):
    """How settled a figure is: statistics are estimated, then preliminary, then final."""

    ESTIMATE = "estimate", _("Estimate")
    PRELIMINARY = "preliminary", _("Preliminary")
    FINAL = "final", _("Final")


def localized(obj, field: str = "name") -> str:
    """The English name when the page is in English and one is set, else the Chinese."""
    english = getattr(obj, f"{field}_en", "")
    if english and (get_language() or "").startswith("en"):
        return english
    return getattr(obj, field)


def display_user(user) -> str:
    """A person as pages and files name them: full name, else user name."""
    if user is None:
        return "—"
    return user.get_full_name() or user.username


class PlanQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Plan(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=100)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"))
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    on_track_ratio = models.DecimalField(
        _("on-track ratio"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text=_("On track when progress is at least the expected share times this ratio."),
    )
    behind_ratio = models.DecimalField(
        _("behind ratio"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.80"),
        help_text=_(
            "Behind (not off track) when progress is at least the expected share times this ratio."
        ),
    )
    description = models.TextField(_("description"), blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-start_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__gt=F("baseline_year")) & Q(end_year__gte=F("start_year")),
                name="plan_years_in_order",
                violation_error_message=_("The years must run baseline < first year <= last year."),
            ),
            models.CheckConstraint(
                condition=Q(behind_ratio__gt=0)
                & Q(behind_ratio__lte=F("on_track_ratio"))
                & Q(on_track_ratio__lte=2),
                name="plan_thresholds_in_range",
                violation_error_message=_(
                    "The ratios must satisfy 0 < behind ratio <= on-track ratio <= 2."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tracker:plan-dashboard", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def display_name(self) -> str:
        return localized(self)

    @property
    def years(self) -> range:
        """The plan's own years, without the baseline year."""
        return range(self.start_year, self.end_year + 1)

    @property
    def entry_years(self) -> range:
        """Years a figure may be entered for: the baseline year and the plan's years."""
        return range(self.baseline_year, self.end_year + 1)

    def latest_approved_year(self) -> int | None:
        """The latest plan year with an approved figure: the default year of every status."""
        return (
            ProgressEntry.objects.approved()
            .filter(target__plan=self, year__gte=self.start_year, year__lte=self.end_year)
            .aggregate(latest=models.Max("year"))["latest"]
        )

    def status_year(self, requested: int | None = None) -> int:
        """The year statuses are computed for: the one asked for, else the latest approved."""
        if requested is not None and requested in self.years:
            return requested
        return self.latest_approved_year() or self.start_year


class AreaQuerySet(models.QuerySet):
    def get_by_natural_key(self, name, plan_slug):
        return self.get(name=name, plan__slug=plan_slug)


class Area(models.Model):
    plan = models.ForeignKey(Plan, models.CASCADE, related_name="areas", verbose_name=_("plan"))
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["plan", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="area_name_unique_in_plan"),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.name, self.plan.slug)

    natural_key.dependencies = ["tracker.plan"]

    @property
    def display_name(self) -> str:
        return localized(self)


class DepartmentQuerySet(models.QuerySet):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Department(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="departments",
        verbose_name=_("members"),
        help_text=_("Reporting staff who enter this department's figures."),
    )
    is_sample = models.BooleanField(_("sample data"), default=False)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.name,)

    @property
    def display_name(self) -> str:
        return localized(self)


class TargetQuerySet(models.QuerySet):
    def get_by_natural_key(self, code, plan_slug):
        return self.get(code=code, plan__slug=plan_slug)

    def for_plan(self, plan: Plan) -> TargetQuerySet:
        """The plan's targets in the order of its indicator table."""
        return self.filter(plan=plan).select_related("area", "lead_department", "plan")

    def editable_by(self, user) -> TargetQuerySet:
        """Targets whose figures `user` may change: administrators all, reporters their lead's."""
        from tracker.permissions import is_admin

        if is_admin(user):
            return self
        return self.filter(lead_department__members=user)

    def with_entries(self) -> TargetQuerySet:
        """Prefetch every entry, and the reference target's, for the status engine."""
        return self.prefetch_related(
            "entries", "reference_target__entries", "co_departments"
        ).select_related("reference_target")


class Target(models.Model):
    class Kind(models.TextChoices):
        LEVEL = "level", _("Level")
        MULTIPLE = "multiple", _("Multiple of baseline")
        ANNUAL_GROWTH = "annual_growth", _("Average annual growth")
        RELATIVE = "relative", _("Relative to another target")
        MILESTONE = "milestone", _("Milestone")
        RANK = "rank", _("Rank")

    class Direction(models.TextChoices):
        INCREASE = "increase", _("Higher is better")
        DECREASE = "decrease", _("Lower is better")

    class Nature(models.TextChoices):
        BINDING = "binding", _("Binding")
        ANTICIPATORY = "anticipatory", _("Anticipatory")

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="targets", verbose_name=_("plan"))
    area = models.ForeignKey(Area, models.PROTECT, related_name="targets", verbose_name=_("area"))
    code = models.CharField(
        _("code"), max_length=40, help_text=_("Stable code, unique within the plan; used in Excel.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    nature = models.CharField(
        _("nature"), max_length=15, choices=Nature.choices, default=Nature.ANTICIPATORY
    )
    baseline_value = models.DecimalField(_("baseline value"), null=True, blank=True, **FIGURE)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"))
    baseline_quality = models.CharField(
        _("baseline data quality"), max_length=12, choices=Quality.choices, blank=True
    )
    target_value = models.DecimalField(
        _("target value"),
        null=True,
        blank=True,
        help_text=_(
            "The level to reach; for average annual growth, the yearly rate in percent; "
            "empty for multiples (see factor), relative targets and milestones."
        ),
        **FIGURE,
    )
    target_year = models.PositiveSmallIntegerField(_("target year"))
    factor = models.DecimalField(
        _("factor"),
        max_digits=8,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("For multiples: the target is the baseline value times this factor."),
    )
    decimal_places = models.PositiveSmallIntegerField(_("decimal places"), default=2)
    allow_negative = models.BooleanField(
        _("negative figures allowed"),
        default=False,
        help_text=_("Tick for figures that can be below zero, such as a change in percent."),
    )
    lead_department = models.ForeignKey(
        Department,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_targets",
        verbose_name=_("lead department"),
    )
    co_departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="co_targets",
        verbose_name=_("co-responsible departments"),
    )
    reference_target = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reference target"),
        help_text=_("For relative targets: the target whose growth this one must beat."),
    )
    source_text = models.TextField(_("wording in the plan"), blank=True)
    data_source = models.CharField(_("data source"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords(excluded_fields=["order"], m2m_fields=[co_departments])
    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "area__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="target_code_unique_in_plan"),
            models.CheckConstraint(
                condition=Q(target_year__gt=F("baseline_year")),
                name="target_year_after_baseline",
                violation_error_message=_("The target year must come after the baseline year."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="multiple") | Q(factor__gt=0),
                name="target_multiple_has_factor",
                violation_error_message=_("A multiple needs a factor above zero."),
            ),
            models.CheckConstraint(
                condition=Q(decimal_places__lte=6),
                name="target_decimal_places_range",
                violation_error_message=_("At most 6 decimal places."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("tracker:target-detail", args=[self.plan.slug, self.code])

    def natural_key(self):
        return (self.code, self.plan.slug)

    natural_key.dependencies = ["tracker.plan"]

    @property
    def display_name(self) -> str:
        return localized(self)

    @property
    def is_milestone(self) -> bool:
        return self.kind == self.Kind.MILESTONE

    def clean(self):
        errors = {}
        if self.plan_id and self.baseline_year and self.baseline_year < self.plan.baseline_year:
            errors["baseline_year"] = _("The baseline year cannot come before the plan's.")
        if self.plan_id and self.target_year and self.target_year > self.plan.end_year:
            errors["target_year"] = _("The target year cannot come after the plan's last year.")
        if self.area_id and self.plan_id and self.area.plan_id != self.plan_id:
            errors["area"] = _("The area belongs to another plan.")
        if self.kind == self.Kind.RELATIVE and not self.reference_target_id:
            errors["reference_target"] = _("A relative target needs a reference target.")
        if self.kind in (self.Kind.LEVEL, self.Kind.RANK, self.Kind.ANNUAL_GROWTH) and (
            self.target_value is None
        ):
            errors["target_value"] = _("This kind of target needs a target value.")
        if errors:
            raise ValidationError(errors)

    # -- the status engine's view of this target --------------------------------------

    def approved_values(self) -> dict[int, Decimal]:
        """Approved figures by year; uses prefetched entries when there are any."""
        return {
            e.year: e.value
            for e in self.entries.all()
            if e.state == ProgressEntry.State.APPROVED and e.value is not None
        }

    def approved_achieved(self) -> dict[int, bool]:
        return {
            e.year: bool(e.achieved)
            for e in self.entries.all()
            if e.state == ProgressEntry.State.APPROVED and e.achieved is not None
        }

    def spec(self, values: dict[int, Decimal] | None = None) -> progress.Spec:
        """The plain values the engine needs.

        Where the plan gives no baseline figure, an approved entry for the baseline year
        stands in for it (the statistics bureau's figure, entered like any other year).
        """
        baseline = self.baseline_value
        if baseline is None and values is not None:
            baseline = values.get(self.baseline_year)
        return progress.Spec(
            kind=progress.Kind(self.kind),
            direction=progress.Direction(self.direction),
            baseline_year=self.baseline_year,
            target_year=self.target_year,
            baseline_value=baseline,
            target_value=self.target_value,
            factor=self.factor,
            on_track_ratio=self.plan.on_track_ratio,
            behind_ratio=self.plan.behind_ratio,
        )

    def assess(self, year: int) -> progress.Assessment:
        """Where this target stands as of `year`, counting approved figures only."""
        values = self.approved_values()
        reference = None
        if self.kind == self.Kind.RELATIVE and self.reference_target is not None:
            ref = self.reference_target
            reference = ref.approved_values()
            if ref.baseline_value is not None:
                reference.setdefault(ref.baseline_year, ref.baseline_value)
        return progress.assess(
            self.spec(values),
            values,
            year,
            achieved=self.approved_achieved(),
            reference=reference,
        )


class ProgressEntryQuerySet(models.QuerySet):
    def get_by_natural_key(self, code, plan_slug, year):
        return self.get(target__code=code, target__plan__slug=plan_slug, year=year)

    def approved(self) -> ProgressEntryQuerySet:
        return self.filter(state=ProgressEntry.State.APPROVED)


class ProgressEntry(models.Model):
    Quality = Quality

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    target = models.ForeignKey(
        Target, models.CASCADE, related_name="entries", verbose_name=_("target")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), null=True, blank=True, **FIGURE)
    achieved = models.BooleanField(_("achieved"), null=True, blank=True)
    quality = models.CharField(
        _("data quality"), max_length=12, choices=Quality.choices, default=Quality.PRELIMINARY
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    return_reason = models.TextField(_("reason for return"), blank=True)
    note = models.TextField(_("note"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="evidence/%Y/", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every save; a stale form is refused.")
    )
    is_sample = models.BooleanField(_("sample data"), default=False)

    history = HistoricalRecords(excluded_fields=["created_at"])
    objects = ProgressEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress entry")
        verbose_name_plural = _("progress entries")
        ordering = ["target", "year"]
        constraints = [
            models.UniqueConstraint(fields=["target", "year"], name="entry_one_per_target_year"),
            models.CheckConstraint(
                condition=Q(year__gte=1949) & Q(year__lte=2100),
                name="entry_year_plausible",
                violation_error_message=_("The year must lie between 1949 and 2100."),
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(return_reason=""),
                name="entry_return_has_reason",
                violation_error_message=_("A returned figure needs a reason."),
            ),
        ]
        indexes = [models.Index(fields=["state", "year"], name="entry_state_year")]

    def __str__(self) -> str:
        return f"{self.target.code} {self.year}: {self.display_value}"

    def get_absolute_url(self) -> str:
        return self.target.get_absolute_url()

    def natural_key(self):
        return (*self.target.natural_key(), self.year)

    natural_key.dependencies = ["tracker.target"]

    @property
    def display_value(self) -> str:
        if self.target.is_milestone:
            if self.achieved is None:
                return ""
            return str(_("Achieved") if self.achieved else _("Not achieved"))
        if self.value is None:
            return ""
        return f"{self.value:.{self.target.decimal_places}f}"

    @property
    def counts(self) -> bool:
        """Only approved figures count toward status and reports."""
        return self.state == self.State.APPROVED

    def clean(self):
        plan = self.target.plan
        if self.year not in plan.entry_years:
            raise ValidationError(
                {
                    "year": ValidationError(
                        _("%(year)s lies outside the plan (%(first)s-%(last)s)."),
                        code="year_outside_plan",
                        params={
                            "year": self.year,
                            "first": plan.baseline_year,
                            "last": plan.end_year,
                        },
                    )
                }
            )


class ClosedYear(models.Model):
    """A year of a plan closed by an administrator once the statistics bulletin is out.

    Reopening deletes the row; the history keeps who closed and reopened it, and why.
    """

    plan = models.ForeignKey(
        Plan, models.CASCADE, related_name="closed_years", verbose_name=_("plan")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("closed by")
    )
    closed_at = models.DateTimeField(_("closed"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("closed year")
        verbose_name_plural = _("closed years")
        ordering = ["plan", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="closed_year_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.year}"


class ImportBatch(models.Model):
    """An applied upload: who, when, which file, what it changed; revertible."""

    class State(models.TextChoices):
        APPLIED = "applied", _("Applied")
        REVERTED = "reverted", _("Reverted")

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="imports", verbose_name=_("plan"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    changed_count = models.PositiveIntegerField(_("changed"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.APPLIED
    )
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reverted by"),
    )
    reverted_at = models.DateTimeField(_("reverted"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("tracker:import", args=[self.plan.slug])

    @property
    def change_reason(self) -> str:
        """The reason every history record this import writes carries."""
        return f"import #{self.pk}: {self.file_name}"


class PendingImport(models.Model):
    """A validated upload waiting for its user to confirm or cancel; it expires."""

    class Kind(models.TextChoices):
        FIGURES = "figures", _("Yearly figures")
        TARGETS = "targets", _("Target definitions")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FIGURES)
    plan = models.ForeignKey(Plan, models.CASCADE, related_name="+", verbose_name=_("plan"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("imported by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    payload = models.JSONField(_("checked rows"))

    class Meta:
        verbose_name = _("import awaiting confirmation")
        verbose_name_plural = _("imports awaiting confirmation")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.user})"

    def get_absolute_url(self) -> str:
        name = "import-preview" if self.kind == self.Kind.FIGURES else "targets-preview"
        return reverse(f"tracker:{name}", args=[self.plan.slug, self.pk])


class StoredStanding(models.Model):
    """A target's status as of a year, kept so that the dashboard filters, sorts and counts
    in the database instead of assessing every target on every request.

    tracker/store.py builds the rows and forgets them in every write that could change them.
    """

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="+", verbose_name=_("plan"))
    target = models.ForeignKey(
        Target, models.CASCADE, related_name="stored_standings", verbose_name=_("target")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=12)
    status_rank = models.PositiveSmallIntegerField(_("status rank"))
    # A sort key only: the progress share, or -99 without one (as Standing.progress_sort).
    progress_sort = models.FloatField(_("progress"))

    class Meta:
        verbose_name = _("stored standing")
        verbose_name_plural = _("stored standings")
        ordering = ["plan", "year", "target"]
        constraints = [
            models.UniqueConstraint(fields=["target", "year"], name="stored_standing_once"),
        ]
        indexes = [models.Index(fields=["plan", "year", "status"], name="stored_standing_status")]

    def __str__(self) -> str:
        return f"{self.target_id} {self.year}: {self.status}"
