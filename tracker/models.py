"""Plans, their areas and targets, departments, and the yearly progress entries."""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator, MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.query import ModelIterable
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.figures import plausibility
from tracker.figures.numbers import validate_code, validate_figure
from tracker.standings import engine, formats
from tracker.standings.announcing import AnnouncingQuerySet
from tracker.text import NOTE_MAX, validate_storable

FIGURE = {"max_digits": 20, "decimal_places": 6, "validators": [validate_figure]}
# What people write about a figure or a target: as long as the forms and imports take, and
# nothing the database refuses. (A TextField's max_length alone only sizes the admin's box.)
NOTE = {"max_length": NOTE_MAX, "validators": [MaxLengthValidator(NOTE_MAX), validate_storable]}
# An evaluation's summary: a few pages of text, no more.
SUMMARY_MAX = 20_000


EVIDENCE_SUFFIX = re.compile(r"\.[a-z0-9]{1,10}")


def evidence_key(entry, filename: str) -> str:
    """Where an uploaded evidence file is stored: a key of its own, which no other upload
    can take. Storage's "is the name free, then write" is not atomic: two app servers
    storing files of one name into one bucket at once both took the same key, and one file
    replaced the other. The name it was uploaded under is kept beside it (`evidence_name`)
    for its download; the key keeps only its extension, from which storage tells its type.
    """
    # Every path that stores a file passes here (entry page, admin, a script's
    # `evidence.save()`). Saving the entry reads `evidence_name` after this has run, as the
    # field is declared after `evidence`.
    entry.evidence_name = PurePosixPath(filename).name[-255:]
    suffix = PurePosixPath(filename).suffix.lower()
    if not EVIDENCE_SUFFIX.fullmatch(suffix):
        suffix = ""
    return f"evidence/{timezone.now():%Y}/{uuid.uuid4().hex}{suffix}"


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


NO_ROLE = _(
    "Entering figures needs the reporters role, which your account does not have: "
    "ask an administrator."
)


class Lock(str):
    """Why a figure may not change, for a person; `code` names the rule for programs."""

    code: str

    def __new__(cls, message, code: str):
        lock = super().__new__(cls, message)
        lock.code = code
        return lock


# Han characters (with the CJK extensions and compatibility ideographs), kana and hangul:
# a name written in them is written family name first, without a space.
_CJK_NAME = re.compile(
    "[\u2e80-\u2fdf\u3005\u3007\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]"
)


def full_name(first_name: str, last_name: str) -> str:
    """A person's name in the order of its script: 王芳 (family name first, no space) for a
    Chinese, Japanese or Korean name, "Ann Lee" (given name first) for others. Django's
    get_full_name always puts the given name first ("芳 王")."""
    first, last = (first_name or "").strip(), (last_name or "").strip()
    if _CJK_NAME.search(first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def display_user(user, name: str = "") -> str:
    """A person as pages, files and mails name them: full name (`full_name`), else user
    name. Every place that shows a person's name goes through here.

    Copes with a person who is gone: a foreign key set to NULL, or a history record whose
    user was deleted (None), shows the name stored beside it, else a dash.
    """
    if user is None:
        return name or "—"
    return full_name(user.first_name, user.last_name) or user.username


class RegionQuerySet(AnnouncingQuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def within(self, region_id: int) -> RegionQuerySet:
        """The region and every region below it (a province, its prefectures and their
        county-level units: three levels), in one query."""
        return self.filter(Q(pk=region_id) | Q(parent=region_id) | Q(parent__parent=region_id))

    def overseen_by(self, user) -> RegionQuerySet:
        """The regions whose pages of their regions `user` may read (`rights.oversees`)."""
        from tracker.figures.rights import is_admin, is_viewer, region_of

        if not (is_admin(user) or is_viewer(user)):
            return self.none()
        mine = region_of(user)
        if mine is None:
            return self
        return self.within(mine)


class Region(models.Model):
    """An administrative division (行政区划): a province, a prefecture or a county-level unit,
    known by its GB/T 2260 code. Plans, departments and statistics belong to a region."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        PREFECTURE = "prefecture", _("Prefecture")
        COUNTY = "county", _("County-level unit")

    code = models.CharField(
        _("GB/T 2260 code"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^[0-9]{6}\Z", _("A GB/T 2260 code has six digits."))],
        help_text=_("The six-digit GB/T 2260 code, e.g. 211382 for 凌源市."),
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.code,)

    @property
    def display_name(self) -> str:
        return localized(self)


class IndicatorQuerySet(AnnouncingQuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Indicator(models.Model):
    """A statistic defined once per instance (指标库): what it measures, in which unit, by
    which definition. Plans target indicators; a region's figures are of an indicator.

    A derived indicator is computed from others of the same region and year, never typed:
    a ratio (numerator ÷ denominator × scale) or a sum of addends.
    """

    class Measure(models.TextChoices):
        AMOUNT = "amount", _("Amount")
        SHARE = "share", _("Share (%)")
        GROWTH = "growth", _("Growth rate")
        COUNT = "count", _("Count")
        AREA = "area", _("Land area")
        RANK = "rank", _("Rank")
        MILESTONE = "milestone", _("Milestone")

    class Formula(models.TextChoices):
        NONE = "", _("Typed (not derived)")
        RATIO = "ratio", _("Ratio: numerator ÷ denominator × scale")
        SUM = "sum", _("Sum of addends")

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[validate_code],
        help_text=_("Stable code, unique in the catalogue; used in Excel as 指标代码."),
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    unit_en = models.CharField(_("English unit"), max_length=30, blank=True)
    measure = models.CharField(_("measures"), max_length=12, choices=Measure.choices)
    decimal_places = models.PositiveSmallIntegerField(
        _("decimal places"), default=2, validators=[MaxValueValidator(6)]
    )
    definition = models.TextField(_("statistical definition (统计口径)"), blank=True, **NOTE)
    source = models.CharField(_("usual source"), max_length=200, blank=True)
    comparable_growth = models.BooleanField(
        _("growth published at comparable prices"),
        default=False,
        help_text=_(
            "Tick for aggregates such as GDP whose yearly growth is published at comparable "
            "prices (可比价): growth goals on it are judged on the chained growth rates."
        ),
    )
    formula = models.CharField(
        _("formula"), max_length=8, choices=Formula.choices, blank=True, default=Formula.NONE
    )
    numerator = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("numerator"),
    )
    denominator = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("denominator"),
    )
    scale = models.DecimalField(
        _("scale"),
        max_digits=12,
        decimal_places=4,
        default=Decimal(100),
        help_text=_("A ratio is numerator ÷ denominator × this (100 for a percentage)."),
    )
    addends = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="+", verbose_name=_("addends")
    )
    rank_of = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rank of"),
        help_text=_("For a rank: the indicator whose figures the regions are ranked by."),
    )
    rank_among = models.ForeignKey(
        "Region",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ranked among the units of"),
        help_text=_("For a rank: the region whose units are ranked (辽宁省 for a county rank)."),
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def natural_key(self):
        return (self.code,)

    @property
    def display_name(self) -> str:
        return localized(self)

    @property
    def is_milestone(self) -> bool:
        return self.measure == self.Measure.MILESTONE

    @property
    def is_derived(self) -> bool:
        return bool(self.formula)

    @property
    def is_share(self) -> bool:
        """A share changes in percentage points (百分点), not in percent of itself."""
        return self.measure == self.Measure.SHARE

    @property
    def carries_growth(self) -> bool:
        """Whether a year's figure may give a growth rate at comparable prices beside (or
        instead of) its level: a typed amount whose growth is published so (GDP, not the
        urban population)."""
        return self.comparable_growth and self.measure == self.Measure.AMOUNT and not self.formula

    def clean(self):
        errors = {}
        if self.formula == self.Formula.RATIO:
            if not (self.numerator_id and self.denominator_id):
                errors["formula"] = _("A ratio needs a numerator and a denominator.")
            elif self.pk and self.pk in (self.numerator_id, self.denominator_id):
                errors["formula"] = _("An indicator cannot be computed from itself.")
            elif self.pk and self.pk in _inputs_below({self.numerator_id, self.denominator_id}):
                errors["formula"] = _("The formula would go round in a circle.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def for_target(cls, target) -> Indicator:
        """The catalogue's indicator of the target's code, added from the target's words
        when the catalogue has none yet."""
        if target.kind in ("milestone", "rank"):
            measure = target.kind
        elif target.unit.strip() == "%":
            measure = cls.Measure.SHARE
        else:
            measure = cls.Measure.AMOUNT
        indicator, _created = cls.objects.get_or_create(
            code=target.code,
            defaults={
                "name": target.name,
                "name_en": target.name_en,
                "unit": target.unit,
                "unit_en": target.unit_en,
                "measure": measure,
                "decimal_places": target.decimal_places,
                "source": target.data_source,
            },
        )
        return indicator


def _inputs_below(ids: set[int]) -> set[int]:
    """Every indicator `ids` are computed from, however deep."""
    seen: set[int] = set()
    while ids - seen:
        seen |= ids
        rows = Indicator.objects.filter(pk__in=ids).values_list(
            "numerator", "denominator", "addends"
        )
        ids = {pk for row in rows for pk in row if pk} | seen
    return seen


class SeriesQuerySet(AnnouncingQuerySet):
    def get_by_natural_key(self, region_code, indicator_code):
        return self.get(region__code=region_code, indicator__code=indicator_code)


class Series(models.Model):
    """One statistic of one region: its indicator's figures year by year (a figure is a
    region's indicator in a year). Every plan of the region that targets the indicator
    reads the same figures."""

    region = models.ForeignKey(
        Region, models.PROTECT, related_name="series", verbose_name=_("region")
    )
    indicator = models.ForeignKey(
        Indicator, models.PROTECT, related_name="series", verbose_name=_("indicator")
    )

    objects = SeriesQuerySet.as_manager()

    class Meta:
        verbose_name = _("statistic")
        verbose_name_plural = _("statistics")
        constraints = [
            models.UniqueConstraint(fields=["region", "indicator"], name="series_once_per_region")
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.indicator}"

    def natural_key(self):
        return (self.region.code, self.indicator.code)

    natural_key.dependencies = ["tracker.region", "tracker.indicator"]


class PlanQuerySet(AnnouncingQuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def with_closed_years(self) -> PlanQuerySet:
        """Read the plans' closed years with them: `Plan.year_lock` over many plans at once."""
        return self.select_related("region").prefetch_related(
            models.Prefetch(
                "region__closed_years", queryset=ClosedYear.objects.select_related("closed_by")
            )
        )

    def administered_by(self, user) -> PlanQuerySet:
        """The plans `user` administers (`rights.administers`): of their region, or all."""
        from tracker.figures.rights import is_admin, region_of

        if not is_admin(user):
            return self.none()
        mine = region_of(user)
        return self if mine is None else self.filter(region=mine)

    def published(self) -> PlanQuerySet:
        """The plans open to everyone at /public/."""
        return self.filter(published=True)

    def with_final_evaluation(self) -> PlanQuerySet:
        """Annotate whether a final evaluation is frozen, for `Plan.phase()`."""
        return self.annotate(
            has_final_evaluation=models.Exists(
                Evaluation.objects.filter(plan=models.OuterRef("pk"), kind=Evaluation.Kind.FINAL)
            )
        )


class Plan(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="plans", verbose_name=_("region")
    )
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
    ahead_ratio = models.DecimalField(
        _("ahead ratio"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.20"),
        help_text=_(
            "Ahead of expectations (快于预期) when progress is at least the expected share "
            "times this ratio."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    published = models.BooleanField(
        _("published"),
        default=False,
        editable=False,
        help_text=_("Open to everyone at /public/: set by publishing, with a reason."),
    )

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
            models.CheckConstraint(
                condition=Q(ahead_ratio__gt=F("on_track_ratio")) & Q(ahead_ratio__lte=5),
                name="plan_ahead_ratio_in_range",
                violation_error_message=_(
                    "The ahead ratio must be above the on-track ratio, and at most 5."
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
    def display_region(self) -> str:
        return localized(self.region)

    @property
    def region_en(self) -> str:
        return self.region.name_en

    def clean(self):
        """A changed period still holds every figure, closed year and target year it has."""
        if self.pk is None:
            return
        spans = [
            ProgressEntry.objects.of_plan(self).aggregate(
                first=models.Min("year"), last=models.Max("year")
            ),
            Target.objects.filter(plan=self).aggregate(
                first=models.Min("baseline_year"), last=models.Max("target_year")
            ),
        ]
        firsts = [span["first"] for span in spans if span["first"] is not None]
        lasts = [span["last"] for span in spans if span["last"] is not None]
        errors = {}
        if firsts and self.baseline_year and min(firsts) < self.baseline_year:
            errors["baseline_year"] = _(
                "This plan has figures, targets or closed years from %(year)s: "
                "its baseline year cannot be later."
            ) % {"year": min(firsts)}
        if lasts and self.end_year and max(lasts) > self.end_year:
            errors["end_year"] = _(
                "This plan has figures, targets or closed years up to %(year)s: "
                "its last year cannot be earlier."
            ) % {"year": max(lasts)}
        if errors:
            raise ValidationError(errors)

    @property
    def years(self) -> range:
        """The plan's own years, without the baseline year."""
        return range(self.start_year, self.end_year + 1)

    @property
    def entry_years(self) -> range:
        """Years a figure may be entered for: the baseline year and the plan's years."""
        return range(self.baseline_year, self.end_year + 1)

    def year_outside(self, year: int) -> Lock | None:
        """Why `year` is not one figures are kept for (see `entry_years`), or None."""
        if year in self.entry_years:
            return None
        return Lock(
            _("%(year)s lies outside the plan (%(first)s-%(last)s).")
            % {"year": year, "first": self.baseline_year, "last": self.end_year},
            "year_outside_plan",
        )

    def year_lock(self, year: int) -> Lock | None:
        """Whether figures of `year` may change at all: None when the year is in the plan
        and open, else why not (outside the plan, or closed: by whom, when, why).

        The one answer to "is this year in the plan and open": pages, the import, the
        template, deadlines, reminders and the home page's work lists all ask it (a test
        reads the code to find any path that decides it for itself)."""
        outside = self.year_outside(year)
        if outside:
            return outside
        closed = self.closed_by_year().get(year)
        if closed is None:
            return None
        return Lock(
            _(
                "Year %(year)s is closed: %(who)s closed it on %(date)s (%(reason)s). "
                "An administrator can reopen it."
            )
            % {
                "year": year,
                "who": closed.closer,
                "date": timezone.localtime(closed.closed_at).strftime("%Y-%m-%d"),
                "reason": closed.reason or "—",
            },
            "closed_year",
        )

    def year_not_over(self, year: int, today: date | None = None) -> Lock | None:
        """Why `year` is not over yet by the calendar (today is on or before 31 December
        of it), or None once it has ended."""
        today = today or timezone.localdate()
        if today.year > year:
            return None
        return Lock(
            _("%(year)s has not ended yet: its figures are asked for from 1 January %(next)s.")
            % {"year": year, "next": year + 1},
            "year_not_over",
        )

    def reporting_lock(self, year: int, today: date | None = None) -> Lock | None:
        """Whether `year` is open for reporting: None when it lies in the plan, has ended
        and is not closed, else why not.

        The one answer to "may people be asked for this year's figures": the homes, the
        departments page, the reminders and "remind now" all ask it. (Figures of a year not
        over may still be entered, as estimates: that is `year_lock`'s question.)"""
        return self.year_lock(year) or self.year_not_over(year, today)

    def reporting_years(self, today: date | None = None) -> list[int]:
        """The plan's years open for reporting (`reporting_lock`), oldest first."""
        return [year for year in self.entry_years if self.reporting_lock(year, today) is None]

    def closed_by_year(self) -> dict[int, ClosedYear]:
        """The closed years of the plan's region (a year is closed for the region's
        statistics, whichever plan it was closed from), read once per plan object (see
        `forget_closed_years`), or with the plan (`Plan.objects.with_closed_years()`)."""
        if not hasattr(self, "_closed_by_year"):
            region = self.region
            rows = region.__dict__.get("_prefetched_objects_cache", {}).get("closed_years")
            if rows is None:
                rows = region.closed_years.select_related("closed_by")
            self._closed_by_year = {c.year: c for c in rows}
        return self._closed_by_year

    def forget_closed_years(self) -> None:
        """Read the closed years afresh next time: a write is about to rely on them."""
        self.__dict__.pop("_closed_by_year", None)
        if Plan.region.is_cached(self):
            self.region.__dict__.get("_prefetched_objects_cache", {}).pop("closed_years", None)

    def is_last_year(self, year: int) -> bool:
        """Whether `year` is the plan's last (or after it): its standings are then what a
        final evaluation states, 完成情况."""
        return year >= self.end_year

    class Phase(models.TextChoices):
        UPCOMING = "upcoming", _("Not yet begun")
        CURRENT = "current", _("Current")
        UNDER_EVALUATION = "under_evaluation", _("Under evaluation")
        ENDED = "ended", _("Ended")

    def phase(self, today=None) -> str:
        """Where the plan is in its life: an ended plan stays under evaluation until its
        final evaluation (终期评估) is frozen. Uses a `has_final_evaluation` annotation
        when the queryset carries one."""
        year = (today or timezone.localdate()).year
        if year < self.start_year:
            return self.Phase.UPCOMING
        if year <= self.end_year:
            return self.Phase.CURRENT
        has_final = getattr(self, "has_final_evaluation", None)
        if has_final is None:
            has_final = self.evaluations.filter(kind=Evaluation.Kind.FINAL).exists()
        return self.Phase.ENDED if has_final else self.Phase.UNDER_EVALUATION

    @property
    def phase_label(self) -> str:
        return self.Phase(self.phase()).label

    def latest_approved_year(self) -> int | None:
        """The latest plan year with an approved figure: the default year of every status."""
        return (
            ProgressEntry.objects.approved()
            .of_plan(self)
            .filter(year__gte=self.start_year, year__lte=self.end_year)
            .aggregate(latest=models.Max("year"))["latest"]
        )

    def status_year_outside(self, year: int) -> Lock | None:
        """Why `year` is not one statuses are computed for (the plan's own years), or None."""
        if year in self.years:
            return None
        return Lock(
            _("%(year)s lies outside the plan (%(first)s-%(last)s).")
            % {"year": year, "first": self.start_year, "last": self.end_year},
            "year_outside_plan",
        )

    def status_year(self, requested: int | None = None) -> int:
        """The year statuses are computed for: the one asked for, else the latest approved.

        Every status shown asks this: pages, API, report, evaluations and the admin."""
        if requested is not None and not self.status_year_outside(requested):
            return requested
        return self.latest_approved_year() or self.start_year


class AreaQuerySet(AnnouncingQuerySet):
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


class DepartmentQuerySet(AnnouncingQuerySet):
    def get_by_natural_key(self, name, region_code):
        return self.get(name=name, region__code=region_code)


class Department(models.Model):
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="departments",
        verbose_name=_("members"),
        help_text=_("Reporting staff who enter this department's figures."),
    )
    is_sample = models.BooleanField(_("sample data"), default=False)
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="departments", verbose_name=_("region")
    )

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="department_name_unique_in_region",
                violation_error_message=_("The region has a department of this name already."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.name, self.region.code)

    natural_key.dependencies = ["tracker.region"]

    @property
    def display_name(self) -> str:
        return localized(self)


class TargetQuerySet(AnnouncingQuerySet):
    def get_by_natural_key(self, code, plan_slug):
        return self.get(code=code, plan__slug=plan_slug)

    def for_plan(self, plan: Plan) -> TargetQuerySet:
        """The plan's targets in the order of its indicator table."""
        return self.filter(plan=plan).select_related("area", "lead_department", "plan")

    def editable_by(self, user) -> TargetQuerySet:
        """Targets whose figures `user` may enter (the same rule as `rights.can_enter`),
        and so whose figures not yet approved they may see (`figures_visible_to`): an
        administrator's region's (every region's, for one of all), and those that fall to
        them as a reporter."""
        from tracker.figures.rights import is_admin, region_of

        if not is_admin(user):
            return self.reported_by(user)
        mine = region_of(user)
        if mine is None:
            return self
        return self.filter(
            Q(plan__region=mine) | Q(pk__in=Target.objects.reported_by(user).values("pk"))
        )

    def reported_by(self, user) -> TargetQuerySet:
        """Targets whose figures fall to `user` (the same rule as `rights.reports_for`):
        whom reminders and deadlines ask."""
        from tracker.figures.rights import is_reporter

        if not is_reporter(user):
            return self.none()
        # From the user's few departments to their targets, by index, never a scan of all;
        # then to every target of the same statistics: a figure is the region's, and falls
        # to the departments any of the region's plans names for it.
        departments = Department.objects.filter(members=user).values("pk")
        co_led = Target.co_departments.through.objects.filter(department__in=departments)
        theirs = Target.objects.filter(
            Q(lead_department__in=departments)
            | Q(co_departments_may_enter=True, pk__in=co_led.values("target_id"))
        )
        return self.filter(series__in=theirs.values("series"))

    def with_unapproved_visible(self, user) -> TargetQuerySet:
        """Each target annotated with `unapproved_visible`: whether `user` may see its
        figures not yet approved (`editable_by`), in the same query."""
        from tracker.figures.rights import is_admin, is_reporter, region_of

        every = is_admin(user) and region_of(user) is None
        if every or not (is_admin(user) or is_reporter(user)):
            visible = models.Value(every)
        else:
            # One list of the user's targets for the whole query, not a lookup per row.
            mine = Q(pk__in=Target.objects.editable_by(user).values("pk"))
            visible = models.Case(
                models.When(mine, then=True), default=False, output_field=models.BooleanField()
            )
        return self.annotate(unapproved_visible=visible)

    def with_entries(self, viewer, *, conversations: bool = False) -> TargetQuerySet:
        """Prefetch the entries `viewer` may see (`figures_visible_to`), and the reference
        target's, for the status engine and the pages; with each figure its reviewer, whom
        the lock of an approved figure names; each target's 原因及措施 (`explanations`);
        with `conversations`, each figure's messages and their authors: seen with the
        figure, by whoever sees it."""
        visible = ProgressEntry.objects.visible_to(viewer).select_related("reviewed_by")
        if conversations:
            visible = visible.prefetch_related(
                models.Prefetch("messages", queryset=FigureMessage.objects.select_related("author"))
            )
        return self.prefetch_related(
            models.Prefetch("series__entries", queryset=visible),
            models.Prefetch(
                "reference_target__series__entries",
                queryset=ProgressEntry.objects.visible_to(viewer),
            ),
            "co_departments",
            models.Prefetch("explanations", queryset=Explanation.objects.select_related("author")),
        ).select_related("reference_target__plan", "series__indicator", "indicator", "plan__region")


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

    class Basis(models.TextChoices):
        USUAL = "", _("The indicator's usual basis")
        COMPARABLE = "comparable", _("At comparable prices (可比价)")
        CURRENT = "current", _("At current prices (现价)")

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="targets", verbose_name=_("plan"))
    area = models.ForeignKey(Area, models.PROTECT, related_name="targets", verbose_name=_("area"))
    code = models.CharField(
        _("code"),
        max_length=40,
        validators=[validate_code],
        help_text=_("Stable code, unique within the plan; used in Excel."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    unit_en = models.CharField(_("English unit"), max_length=30, blank=True)
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
    baseline_reason = models.TextField(
        _("why the baseline is fixed"),
        blank=True,
        help_text=_(
            "A baseline is the region's figure for the baseline year, and follows its "
            "revisions. Give a value above only to fix it otherwise, and say why here."
        ),
        **NOTE,
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
    basis = models.CharField(
        _("basis of growth"),
        max_length=12,
        choices=Basis.choices,
        blank=True,
        default=Basis.USUAL,
        help_text=_(
            "How a multiple, an average growth or a relative goal is measured: on the chained "
            "growth rates at comparable prices, or on levels at current prices. By default, "
            "comparable prices where the indicator's growth is published so."
        ),
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
    co_departments_may_enter = models.BooleanField(
        _("co-responsible departments may enter figures"),
        default=False,
        help_text=_("Tick to let reporters of the co-responsible departments enter figures too."),
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
    plausible_factor = models.DecimalField(
        _("plausible change factor"),
        max_digits=8,
        decimal_places=2,
        default=plausibility.DEFAULT_FACTOR,
        help_text=_(
            "A figure more than this many times last year's (or less than its share) is "
            "questioned before it is saved."
        ),
    )
    plausible_minimum = models.DecimalField(
        _("lowest plausible figure"), null=True, blank=True, **FIGURE
    )
    plausible_maximum = models.DecimalField(
        _("highest plausible figure"), null=True, blank=True, **FIGURE
    )
    baseline_source = models.ForeignKey(
        Plan,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("baseline carried over from"),
        help_text=_("The previous plan whose final approved figure is this baseline."),
    )
    source_text = models.TextField(_("wording in the plan"), blank=True, **NOTE)
    data_source = models.CharField(_("data source"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True, **NOTE)
    indicator = models.ForeignKey(
        Indicator,
        models.PROTECT,
        related_name="targets",
        verbose_name=_("indicator"),
        help_text=_("The statistic in the catalogue this target sets a goal for."),
    )
    series = models.ForeignKey(
        Series,
        models.PROTECT,
        related_name="targets",
        editable=False,
        verbose_name=_("statistic"),
        help_text=_("The region's figures of the indicator, set from the plan and indicator."),
    )

    history = HistoricalRecords(excluded_fields=["order"], m2m_fields=[co_departments])
    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "area__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="target_code_unique_in_plan"),
            models.UniqueConstraint(
                fields=["plan", "series"],
                name="target_once_per_statistic_in_plan",
                violation_error_message=_("The plan has a target of this indicator already."),
            ),
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
                condition=Q(plausible_factor__gt=1),
                name="target_plausible_factor_above_one",
                violation_error_message=_("The plausible change factor must be above 1."),
            ),
            models.CheckConstraint(
                condition=Q(plausible_minimum__isnull=True)
                | Q(plausible_maximum__isnull=True)
                | Q(plausible_minimum__lte=F("plausible_maximum")),
                name="target_plausible_range_in_order",
                violation_error_message=_("The lowest plausible figure cannot exceed the highest."),
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

    @property
    def entries(self):
        """The figures of the target's statistic: the region's, shared by every plan of the
        region that targets the indicator (prefetch them as `series__entries`). Figures
        prefetched are read through this target (`ProgressEntry.target`)."""
        series = self.series
        for entry in getattr(series, "_prefetched_objects_cache", {}).get("entries", ()):
            entry.__dict__["_target"] = self
        return series.entries

    @property
    def price_basis(self) -> engine.Basis:
        """The basis growth is judged on: the plan's word, else the indicator's usual."""
        if self.basis:
            return engine.Basis(self.basis)
        indicator = self.indicator if self.indicator_id else None
        usual = indicator is not None and indicator.comparable_growth
        return engine.Basis.COMPARABLE if usual else engine.Basis.CURRENT

    @property
    def is_share(self) -> bool:
        """Measured as a share (%): changes are in percentage points."""
        indicator = self.indicator if self.indicator_id else None
        if indicator is not None:
            return indicator.is_share
        return self.unit.strip() == "%"

    @property
    def indicator_code(self) -> str:
        """The indicator's code; a target is known by it (a target frozen before the
        catalogue was kept names none, and its code was the indicator's)."""
        return self.indicator.code if self.indicator_id else self.code

    def baseline_figure(self) -> ProgressEntry | None:
        """The approved figure of the baseline year the baseline is, unless it is fixed;
        from prefetched entries when there are any. Its quality is the baseline's vintage."""
        if self.baseline_value is not None:
            return None
        return next(
            (e for e in self.entries.all() if e.year == self.baseline_year and e.counts),
            None,
        )

    @property
    def baseline_vintage(self) -> str:
        """Which vintage the baseline is (预计/初步/最终), in words, or ""."""
        if self.baseline_value is not None:
            return self.get_baseline_quality_display()
        figure = self.baseline_figure()
        return figure.get_quality_display() if figure else ""

    def clean(self):
        errors = {}
        if self.indicator_id and self.code and self.code != self.indicator.code:
            errors["code"] = _("A target's code is its indicator's code (%(code)s).") % {
                "code": self.indicator.code
            }

        if self.plan_id and self.baseline_year and self.baseline_year < self.plan.baseline_year:
            errors["baseline_year"] = _("The baseline year cannot come before the plan's.")
        if self.plan_id and self.target_year and self.target_year > self.plan.end_year:
            errors["target_year"] = _("The target year cannot come after the plan's last year.")
        if self.area_id and self.plan_id and self.area.plan_id != self.plan_id:
            errors["area"] = _("The area belongs to another plan.")
        if self.kind == self.Kind.RELATIVE and not self.reference_target_id:
            errors["reference_target"] = _("A relative target needs a reference target.")
        if self.reference_target_id and self.reference_target_id == self.pk:
            errors["reference_target"] = _("A target cannot be its own reference.")
        elif self.reference_target_id and self.plan_id:
            reference_plan = (
                Target.objects.filter(pk=self.reference_target_id)
                .values_list("plan_id", flat=True)
                .first()
            )
            if reference_plan not in (None, self.plan_id):
                errors["reference_target"] = _("The reference target belongs to another plan.")
        for name in ("baseline_value", "target_value"):
            value = getattr(self, name)
            if value is not None and value < 0 and not self.allow_negative:
                errors[name] = _(
                    "This target cannot be negative; tick “negative figures allowed” if it can be."
                )
        if self.kind in (self.Kind.LEVEL, self.Kind.RANK, self.Kind.ANNUAL_GROWTH) and (
            self.target_value is None
        ):
            errors["target_value"] = _("This kind of target needs a target value.")
        basis = self._basis_error()
        if basis:
            errors["basis"] = basis
        if errors:
            raise ValidationError(errors)

    def _basis_error(self) -> str | None:
        """Why the basis of growth does not fit: only growth goals have one, and comparable
        prices need an indicator whose figures carry growth rates."""
        if not self.basis:
            return None
        if self.kind not in (self.Kind.MULTIPLE, self.Kind.ANNUAL_GROWTH, self.Kind.RELATIVE):
            return _(
                "Only a multiple, an average growth or a relative goal has a basis of growth; "
                "leave it empty for this kind."
            )
        indicator = self.indicator if self.indicator_id else None
        if self.basis == self.Basis.COMPARABLE and indicator and not indicator.carries_growth:
            return _(
                "%(indicator)s has no growth rates at comparable prices: it is measured on "
                "its levels (at current prices)."
            ) % {"indicator": indicator.display_name}
        return None

    # -- the status engine's view of this target --------------------------------------

    def reads(self, entry) -> bool:
        """Whether the plan reads this figure of the region's statistic: those of its own
        years (baseline to last), and a milestone's completion whenever it came."""
        plan = self.plan
        return plan.baseline_year <= entry.year <= plan.end_year or bool(
            entry.achieved and entry.state == ProgressEntry.State.APPROVED
        )

    def explanation_for(self, year: int) -> str:
        """原因及措施 written for `year` (`Explanation`), "" when none; reads the
        prefetched `explanations` (`Target.objects.with_entries`)."""
        return next((e.text for e in self.explanations.all() if e.year == year), "")

    def approved_values(self) -> dict[int, Decimal]:
        """Approved figures by year, of the plan's years; uses prefetched entries when
        there are any."""
        plan = self.plan
        return {
            e.year: e.value
            for e in self.entries.all()
            if e.state == ProgressEntry.State.APPROVED
            and e.value is not None
            and plan.baseline_year <= e.year <= plan.end_year
        }

    def approved_growths(self) -> dict[int, Decimal]:
        """Approved growth rates at comparable prices (percent) by year, of the plan's years."""
        plan = self.plan
        return {
            e.year: e.growth
            for e in self.entries.all()
            if e.state == ProgressEntry.State.APPROVED
            and e.growth is not None
            and plan.baseline_year <= e.year <= plan.end_year
        }

    def approved_achieved(self) -> dict[int, bool]:
        """Approved milestone figures by year, of those the plan reads (`reads`)."""
        return {
            e.year: bool(e.achieved)
            for e in self.entries.all()
            if e.state == ProgressEntry.State.APPROVED and e.achieved is not None and self.reads(e)
        }

    def spec(self, values: dict[int, Decimal] | None = None) -> engine.Spec:
        """The plain values the engine needs.

        Where the plan gives no baseline figure, an approved entry for the baseline year
        stands in for it (the statistics bureau's figure, entered like any other year).
        """
        baseline = self.baseline_value
        if baseline is None and values is not None:
            baseline = values.get(self.baseline_year)
        return engine.Spec(
            kind=engine.Kind(self.kind),
            direction=engine.Direction(self.direction),
            baseline_year=self.baseline_year,
            target_year=self.target_year,
            baseline_value=baseline,
            target_value=self.target_value,
            factor=self.factor,
            on_track_ratio=self.plan.on_track_ratio,
            behind_ratio=self.plan.behind_ratio,
            ahead_ratio=self.plan.ahead_ratio,
            basis=self.price_basis,
            places=self.decimal_places,
        )

    def assess(
        self,
        year: int,
        *,
        values: dict[int, Decimal] | None = None,
        spec: engine.Spec | None = None,
    ) -> engine.Assessment:
        """Where this target stands as of `year`, counting approved figures only.

        `values` and `spec` may be passed when the caller has them already.
        """
        if values is None:
            values = self.approved_values()
        reference = reference_growths = None
        if self.kind == self.Kind.RELATIVE and self.reference_target is not None:
            ref = self.reference_target
            reference = ref.approved_values()
            reference_growths = ref.approved_growths()
            if ref.baseline_value is not None:
                reference.setdefault(ref.baseline_year, ref.baseline_value)
        return engine.assess(
            spec or self.spec(values),
            values,
            year,
            achieved=self.approved_achieved(),
            reference=reference,
            growths=self.approved_growths(),
            reference_growths=reference_growths,
        )

    def check_figure(self, value: Decimal, year: int, typed: str = "") -> list:
        """Reasons to doubt `value` for `year` (tracker.figures.plausibility), from approved
        figures.

        Uses prefetched entries when there are any; milestones are never questioned.
        """
        if self.is_milestone or value is None:
            return []
        values = self.approved_values()
        spec = self.spec(values)
        history = {y: v for y, v in values.items() if y < year}
        if spec.baseline_value is not None:
            history.setdefault(self.baseline_year, spec.baseline_value)
        rules = plausibility.Rules(
            unit=self.unit,
            unit_en=self.unit_en,
            factor=self.plausible_factor,
            minimum=self.plausible_minimum,
            maximum=self.plausible_maximum,
            places=self.decimal_places,
        )
        known = plausibility.Known(year, history, engine.expected_value(spec, year))
        return plausibility.check(value, rules, known, typed=typed)


def reading_target(targets, year: int):
    """Of the targets reading one statistic, the one a figure of `year` is read through:
    of the plan whose own years (first to last) hold it, else of the plan whose baseline
    year it is, else of the latest plan; `targets` ordered from the earliest plan."""
    targets = list(targets)
    for holds in (
        lambda plan: plan.start_year <= year <= plan.end_year,
        lambda plan: plan.baseline_year == year,
    ):
        found = [t for t in targets if holds(t.plan)]
        if found:
            return found[-1]
    return targets[-1] if targets else None


class _ThroughTargets(ModelIterable):
    """Figures, each with the target it is read through (`ProgressEntry.target`): the
    plan's where the queryset is `of_plan`, else as `reading_target` chooses; all read in
    one query."""

    def __iter__(self):
        figures = list(super().__iter__())
        plan = self.queryset._through_plan
        targets = Target.objects.filter(series__in={f.series_id for f in figures})
        if plan is not None:
            targets = targets.filter(plan=plan)
        by_series: dict[int, list[Target]] = {}
        for target in targets.select_related(
            "plan", "area", "lead_department", "indicator", "series"
        ).order_by("plan__start_year", "plan_id"):
            if plan is not None:
                target.plan = plan
            by_series.setdefault(target.series_id, []).append(target)
        for figure in figures:
            chosen = reading_target(by_series.get(figure.series_id, ()), figure.year)
            if chosen is not None:
                figure.__dict__["_target"] = chosen
            yield figure


class ProgressEntryQuerySet(AnnouncingQuerySet):
    _through_plan = None

    def _clone(self):
        clone = super()._clone()
        clone._through_plan = self._through_plan
        return clone

    def get_by_natural_key(self, region_code, indicator_code, year):
        return self.get(
            series__region__code=region_code, series__indicator__code=indicator_code, year=year
        )

    def of_plan(self, plan) -> ProgressEntryQuerySet:
        """The figures a plan reads (its region's, of the indicators it targets), each
        with the plan's target (`ProgressEntry.target`)."""
        # A subquery of the plan's series, not a join through its targets: with an id list
        # (`in_bulk`) SQLite would otherwise try every target against every id.
        series = Target.objects.filter(plan=plan).values("series_id")
        clone = self.filter(series__in=series).with_targets()
        clone._through_plan = plan
        return clone

    def with_targets(self) -> ProgressEntryQuerySet:
        """Each figure with the target it is read through, in one more query."""
        clone = self._chain()
        clone._iterable_class = _ThroughTargets
        return clone

    def approved(self) -> ProgressEntryQuerySet:
        return self.filter(state=ProgressEntry.State.APPROVED)

    def visible_to(self, user) -> ProgressEntryQuerySet:
        """The figures `user` may see: approved ones, and any of a target whose figures they
        may enter (`figures_visible_to`)."""
        return self.filter(figures_visible_to(user))

    def administered_by(self, user) -> ProgressEntryQuerySet:
        """The figures `user` reviews (`rights.administers`): of their region, or all."""
        from tracker.figures.rights import is_admin, region_of

        if not is_admin(user):
            return self.none()
        mine = region_of(user)
        return self if mine is None else self.filter(series__region=mine)


def figures_visible_to(user, series: str = "series", computed: str = "computed") -> Q:
    """The one rule for which figures `user` sees, as a condition on rows with a figure's
    `state` that lead to its statistic by `series`: figures, their history records, an
    evaluation's frozen copies. Approved figures are everyone's; those not approved yet
    are their region's administrators' and of whoever may enter them
    (`Target.objects.editable_by`, `rights.can_enter`), nobody else's: a higher region's
    administrators and viewers, and a sibling region's, see them once approved."""
    from tracker.figures.rights import is_admin, is_reporter, region_of

    visible = Q(state=ProgressEntry.State.APPROVED)
    if is_admin(user):
        mine = region_of(user)
        if mine is None:
            return Q()
        visible |= Q(**{f"{series}__region": mine})
    if is_reporter(user):
        editable = Target.objects.reported_by(user).values("series")
        # A computed figure not yet approved is made of other departments' figures: an
        # administrator's only.
        typed = Q(**{computed: False}) if computed else Q()
        visible |= Q(**{f"{series}__in": editable}) & typed
    return visible


class ProgressEntry(models.Model):
    Quality = Quality

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), null=True, blank=True, **FIGURE)
    achieved = models.BooleanField(_("achieved"), null=True, blank=True)
    quality = models.CharField(
        _("data quality"), max_length=12, choices=Quality.choices, default=Quality.PRELIMINARY
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the figure was published (统计公报, 政府工作报告 …)."),
    )
    growth = models.DecimalField(
        _("growth at comparable prices (%)"),
        null=True,
        blank=True,
        help_text=_(
            # xgettext:no-python-format
            "For amounts: growth over the previous year at comparable prices, in percent, "
            "as published (增长3.1% is 3.1). A year may give it without a level."
        ),
        **FIGURE,
    )
    growth_quality = models.CharField(
        _("data quality of the growth"), max_length=12, choices=Quality.choices, blank=True
    )
    growth_source = models.CharField(
        _("source of the growth"),
        max_length=200,
        blank=True,
        help_text=_("Where the growth rate was published, when not with the level."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    return_reason = models.TextField(_("reason for return"), blank=True, **NOTE)
    note = models.TextField(_("note"), blank=True, **NOTE)
    note_public = models.BooleanField(
        _("note is public"),
        default=False,
        help_text=_("Show the note on the public pages of a published plan."),
    )
    plausibility_flag = models.TextField(
        _("plausibility findings"),
        blank=True,
        help_text=_("Why the figure looked implausible when its reporter confirmed it."),
    )
    plausibility_note = models.TextField(
        _("explanation of the figure"),
        blank=True,
        help_text=_("The reporter's explanation, given when confirming a questioned figure."),
        **NOTE,
    )
    evidence = models.FileField(_("evidence"), upload_to=evidence_key, blank=True)
    evidence_name = models.CharField(
        _("evidence file name"),
        max_length=255,
        blank=True,
        editable=False,
        help_text=_("The name the evidence file was uploaded under, given to its download."),
    )
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
    series = models.ForeignKey(
        Series, models.PROTECT, related_name="entries", verbose_name=_("statistic")
    )
    computed = models.BooleanField(
        _("computed"),
        default=False,
        editable=False,
        help_text=_(
            "Computed from the figures of its indicator's inputs (tracker/indicators/derived.py)."
        ),
    )

    history = HistoricalRecords(excluded_fields=["created_at"])
    objects = ProgressEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress entry")
        verbose_name_plural = _("progress entries")
        ordering = ["series", "year"]
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="figure_once_per_year"),
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
        named = self.__dict__.get("_target") or self.indicator
        return f"{named.code} {self.year}: {self.display_value}"

    def get_absolute_url(self) -> str:
        return self.target.get_absolute_url()

    @property
    def indicator(self) -> Indicator:
        return self.series.indicator

    @property
    def target(self) -> Target:
        """The target this figure is read or written through: a plan's view of the region's
        statistic, set by whoever has it (`ProgressEntry(target=…)`, `entry.target = …`),
        else the one of the plan whose years hold the figure's (`reading_target`)."""
        target = self.__dict__.get("_target")
        if target is None or target.series_id != self.series_id:
            target = reading_target(
                Target.objects.filter(series=self.series_id)
                .select_related("plan", "indicator", "lead_department")
                .order_by("plan__start_year", "plan_id"),
                self.year,
            )
            self.__dict__["_target"] = target
        return target

    @target.setter
    def target(self, target: Target) -> None:
        self.__dict__["_target"] = target
        self.series_id = target.series_id
        if Target.series.is_cached(target):
            self.series = target.series

    @property
    def evidence_filename(self) -> str:
        """The name the evidence downloads under: as uploaded. Files stored before each had
        a key of its own were stored under their name, which the key still ends with."""
        return self.evidence_name or PurePosixPath(self.evidence.name).name

    def natural_key(self):
        return (*self.series.natural_key(), self.year)

    natural_key.dependencies = ["tracker.series"]

    @property
    def display_value(self) -> str:
        # As the target it is read through states it (a frozen one: as frozen), else as
        # the catalogue's indicator does: yes/no, or the decimal places.
        shown_as = self.__dict__.get("_target") or self.indicator
        if shown_as.is_milestone:
            return formats.milestone_word(self.achieved)
        return formats.format_figure(self.value, shown_as.decimal_places)

    @property
    def is_flagged(self) -> bool:
        """Confirmed although it looked implausible: the approver should look twice."""
        return bool(self.plausibility_flag)

    @property
    def counts(self) -> bool:
        """Only approved figures count toward status and reports."""
        return self.state == self.State.APPROVED

    class Action(models.TextChoices):
        EDIT = "edit", _("change")
        REVIEW = "review", _("approve or return")
        REOPEN = "reopen", _("reopen")
        REVERT = "revert", _("revert an import")

    def lock_reason(self, user, action: str = Action.EDIT) -> Lock | None:
        """Why `user` may not do `action` to this figure now; None when they may.

        The one answer to "may this figure change", asked by every path (entry page,
        import, approvals, reopen, revert, admin). In order:
        1. the year: outside the plan, or closed;
        2. the right: entering needs `rights.can_enter`, anything else an administrator of
           the plan's region (`rights.administers`);
        3. the state: an approved figure changes only after a reopen; only submitted
           figures are approved or returned; only approved ones reopened.
        """
        from tracker.figures.rights import administers, can_enter, is_admin, is_reporter

        target = self.target
        lock = target.plan.year_lock(self.year)
        if lock:
            return lock
        if self.computed:
            return Lock(
                _("This figure is computed from its inputs (%(formula)s): it changes when they do.")
                % {"formula": self.note or "—"},
                "computed",
            )
        if action == self.Action.EDIT and not (is_reporter(user) or is_admin(user)):
            return Lock(NO_ROLE, "forbidden")
        if action == self.Action.EDIT and not can_enter(user, target):
            return Lock(
                _("You may not change figures of %(target)s: it is led by %(department)s.")
                % {
                    "target": target.display_name,
                    "department": target.lead_department or "—",
                },
                "forbidden",
            )
        if action != self.Action.EDIT and not administers(user, target.plan.region_id):
            return Lock(_("Only administrators may do this."), "forbidden")
        state = self.state if self.pk else None
        if action == self.Action.EDIT and state == self.State.APPROVED and not self.reviewed_at:
            return Lock(
                _(
                    "This figure is approved and locked. "
                    "An administrator can reopen it, with a reason, to change it."
                ),
                "approved",
            )
        if action == self.Action.EDIT and state == self.State.APPROVED:
            return Lock(
                _(
                    "This figure is approved (%(who)s, %(date)s) and locked. "
                    "An administrator can reopen it, with a reason, to change it."
                )
                % {
                    "who": display_user(self.reviewed_by),
                    "date": timezone.localtime(self.reviewed_at).strftime("%Y-%m-%d")
                    if self.reviewed_at
                    else "—",
                },
                "approved",
            )
        if action == self.Action.REVIEW and state != self.State.SUBMITTED:
            return Lock(_("Only submitted figures can be approved or returned."), "state")
        if action == self.Action.REOPEN and state != self.State.APPROVED:
            return Lock(_("Only approved figures can be reopened."), "state")
        return None

    def clean(self):
        if self.target is None or self.year is None:
            return  # the form says what is missing
        outside = self.target.plan.year_outside(self.year)
        if outside:
            raise ValidationError({"year": ValidationError(str(outside), code=outside.code)})


class FigureMessage(models.Model):
    """One message in a figure's conversation: a return's reason, a reporter's answer, a
    question or a comment. Seen by whoever may see the figure in its state
    (`ProgressEntry.objects.visible_to`); kept when its author leaves."""

    class Kind(models.TextChoices):
        RETURN = "return", _("Return")
        ANSWER = "answer", _("Answer")
        QUESTION = "question", _("Question")
        COMMENT = "comment", _("Comment")

    entry = models.ForeignKey(
        ProgressEntry, models.CASCADE, related_name="messages", verbose_name=_("figure")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    author_name = models.CharField(
        _("author (name)"),
        max_length=150,
        blank=True,
        help_text=_("Kept when the account is deleted."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"), **NOTE)
    created = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("message on a figure")
        verbose_name_plural = _("messages on figures")
        ordering = ["entry", "created", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="figure_message_has_text",
                violation_error_message=_("A message needs a text."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.shown_author}: {self.text[:40]}"

    @property
    def shown_author(self) -> str:
        return display_user(self.author, self.author_name)


class Explanation(models.Model):
    """原因及措施: why a target lags in a year and what is done about it, written by its
    responsible departments' reporters or an administrator. The report prints it, and an
    evaluation freezes it; a figure's own note (source, 口径, corrections) stays apart."""

    target = models.ForeignKey(
        Target, models.CASCADE, related_name="explanations", verbose_name=_("target")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    text = models.TextField(_("reasons and measures"), blank=True, **NOTE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    author_name = models.CharField(
        _("written by (name)"),
        max_length=150,
        blank=True,
        help_text=_("Kept when the account is deleted."),
    )
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("reasons and measures")
        verbose_name_plural = _("reasons and measures")
        ordering = ["target", "year"]
        constraints = [
            models.UniqueConstraint(fields=["target", "year"], name="explanation_once_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.target.code} {self.year}"

    @property
    def shown_author(self) -> str:
        return display_user(self.author, self.author_name)


class Publication(models.Model):
    """A plan published to everyone, or withdrawn, by an administrator with a reason.
    `Plan.published` holds the latest; these rows are the record."""

    plan = models.ForeignKey(
        Plan, models.CASCADE, related_name="publications", verbose_name=_("plan")
    )
    published = models.BooleanField(_("published"))
    reason = models.TextField(_("reason"), **NOTE)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    by_name = models.CharField(
        _("by (name)"),
        max_length=150,
        blank=True,
        help_text=_("Kept when the account is deleted."),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["plan", "-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="publication_has_reason",
                violation_error_message=_("Publishing or withdrawing a plan needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.slug} {'+' if self.published else '-'} {self.at:%Y-%m-%d}"

    @property
    def shown_by(self) -> str:
        return display_user(self.by, self.by_name)


class ClosedYear(models.Model):
    """A year of a region's statistics closed by an administrator once the statistics
    bulletin is out: closed for every plan of the region, whichever plan's page it was
    closed from (`plan`).

    Reopening deletes the row; the history keeps who closed and reopened it, and why.
    """

    plan = models.ForeignKey(
        Plan,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed from plan"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_by_name = models.CharField(
        _("closed by (name)"),
        max_length=150,
        blank=True,
        help_text=_("Kept when the account is deleted."),
    )
    closed_at = models.DateTimeField(_("closed"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True, **NOTE)
    region = models.ForeignKey(
        Region, models.CASCADE, related_name="closed_years", verbose_name=_("region")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("closed year")
        verbose_name_plural = _("closed years")
        ordering = ["region", "year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="closed_year_once"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"

    @property
    def closer(self) -> str:
        return display_user(self.closed_by, self.closed_by_name)


class ImportBatchQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImportBatchQuerySet:
        """The uploads `user` may see listed: an administrator's to the plans of their
        region (every plan's, for one of all: `Plan.objects.administered_by`), and anyone's
        own (the file names and counts of another department's uploads are theirs)."""
        from tracker.figures.rights import is_admin, region_of

        if is_admin(user) and region_of(user) is None:
            return self
        return self.filter(Q(imported_by=user) | Q(plan__in=Plan.objects.administered_by(user)))


class ImportBatch(models.Model):
    """An applied upload: who, when, which file, what it changed; revertible."""

    class State(models.TextChoices):
        APPLIED = "applied", _("Applied")
        REVERTED = "reverted", _("Reverted")

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="imports", verbose_name=_("plan"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_by_name = models.CharField(
        _("imported by (name)"),
        max_length=150,
        blank=True,
        help_text=_("Kept when the account is deleted."),
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
    preview = models.UUIDField(
        _("confirmed preview"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("The preview this import confirmed: a preview is applied once."),
    )

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("tracker:import", args=[self.plan.slug])

    @property
    def importer(self) -> str:
        return display_user(self.imported_by, self.imported_by_name)

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


# -- deadlines, reminders and each user's mail preferences --------------------------------


class DeadlineQuerySet(models.QuerySet):
    def for_plan(self, plan: Plan) -> DeadlineQuerySet:
        return self.filter(plan=plan).select_related("target")


class Deadline(models.Model):
    """The date by which a year's figures are due: for a whole plan, or one of its targets.

    A target's own deadline overrides the plan's for that year.
    """

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="deadlines", verbose_name=_("plan"))
    year = models.PositiveSmallIntegerField(_("year"), help_text=_("The year the figures are for."))
    target = models.ForeignKey(
        Target,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name=_("target"),
        help_text=_("Leave empty for every target of the plan; set it for a target's own date."),
    )
    due = models.DateField(_("due by"))
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("Shown beside the date, e.g. which figures are expected."),
    )

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting deadline")
        verbose_name_plural = _("reporting deadlines")
        ordering = ["plan", "year", "target__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year"],
                condition=Q(target__isnull=True),
                name="deadline_once_per_plan_year",
                violation_error_message=_("This plan already has a deadline for this year."),
            ),
            models.UniqueConstraint(
                fields=["target", "year"],
                condition=Q(target__isnull=False),
                name="deadline_once_per_target_year",
                violation_error_message=_("This target already has a deadline for this year."),
            ),
        ]

    def __str__(self) -> str:
        what = self.target.code if self.target_id else self.plan.name
        return f"{what} {self.year}: {self.due:%Y-%m-%d}"

    def clean(self):
        errors = {}
        known = self.plan_id and self.year is not None
        outside = self.plan.year_outside(self.year) if known else None
        if outside:
            errors["year"] = ValidationError(str(outside), code=outside.code)
        if self.target_id and self.plan_id and self.target.plan_id != self.plan_id:
            errors["target"] = _("The target belongs to another plan.")
        if errors:
            raise ValidationError(errors)


class Profile(models.Model):
    """A user's own choices: the language of their mail and pages, and which mail they get;
    and, set by an administrator, the region they administer or view."""

    class Language(models.TextChoices):
        CHINESE = "zh-hans", "简体中文"
        ENGLISH = "en", "English"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.CHINESE
    )
    reminders = models.BooleanField(
        _("deadline reminders"),
        default=True,
        help_text=_(
            "Mail before and after a reporting deadline while figures are missing or returned; "
            "administrators: the weekly digest."
        ),
    )
    notices = models.BooleanField(
        _("review notices"),
        default=True,
        help_text=_("Mail when a figure you entered is approved or returned."),
    )
    region = models.ForeignKey(
        Region,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("region"),
        help_text=_(
            "Administrators act on the plans of this region only; administrators and viewers "
            "read the approved figures of this region and the regions below it. Empty: every "
            "region (a superuser always has every region)."
        ),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        ordering = ["user"]

    def __str__(self) -> str:
        return display_user(self.user)

    def get_absolute_url(self) -> str:
        return reverse("tracker:profile")

    @classmethod
    def of(cls, user) -> Profile:
        """The user's profile; the defaults, unsaved, when they never changed it."""
        try:
            return user.profile
        except cls.DoesNotExist:
            return cls(user=user)


class SentMail(models.Model):
    """A mail the tracker sent: the record that keeps reminders to one a day per person."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        NOTICE = "notice", _("Review notice")
        DIGEST = "digest", _("Weekly digest")
        MESSAGE = "message", _("Message on a figure")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    address = models.EmailField(_("address"))
    sent_on = models.DateField(_("day"), help_text=_("The local day it was sent."))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    subject = models.CharField(_("subject"), max_length=255)
    covers = models.JSONField(
        _("figures named"),
        default=list,
        blank=True,
        help_text=_("[target id, year] of each figure the mail named."),
    )

    class Meta:
        verbose_name = _("sent mail")
        verbose_name_plural = _("sent mail")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "sent_on"],
                condition=Q(kind="reminder"),
                name="sentmail_one_reminder_a_day",
            ),
        ]
        indexes = [models.Index(fields=["user", "kind", "sent_on"], name="sentmail_user_kind_day")]

    def __str__(self) -> str:
        return f"{self.sent_on:%Y-%m-%d} {self.address}: {self.subject}"


class Evaluation(models.Model):
    """A plan's standing as of a year, frozen as published: it never changes afterwards.

    The snapshot is stored in the rows below (`FrozenTarget`, `FrozenFigure`) and in
    `frozen_plan` (the plan, its areas and departments as they were); later corrections are
    listed against it ("changes since"), never applied to it.
    """

    class Kind(models.TextChoices):
        MIDTERM = "midterm", _("Mid-term evaluation")
        FINAL = "final", _("Final evaluation")
        ANNUAL = "annual", _("Annual evaluation")

    plan = models.ForeignKey(
        Plan, models.PROTECT, related_name="evaluations", verbose_name=_("plan")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"), default=timezone.localdate)
    year = models.PositiveSmallIntegerField(_("status as of"))
    summary = models.TextField(
        _("summary"),
        blank=True,
        max_length=SUMMARY_MAX,
        validators=[MaxLengthValidator(SUMMARY_MAX), validate_storable],
    )
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("frozen by")
    )
    frozen_at = models.DateTimeField(_("frozen"), default=timezone.now, editable=False)
    frozen_plan = models.JSONField(
        _("plan as frozen"), encoder=DjangoJSONEncoder, editable=False, default=dict
    )

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["plan", "-year", "-frozen_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_kind_display()}, {self.year})"

    def get_absolute_url(self) -> str:
        return reverse("tracker:evaluation", args=[self.plan.slug, self.pk])


class FrozenTarget(models.Model):
    """One target's standing in an evaluation: its definition, assessment and explanation."""

    evaluation = models.ForeignKey(
        Evaluation, models.CASCADE, related_name="targets", verbose_name=_("evaluation")
    )
    target = models.ForeignKey(
        Target,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target"),
    )
    position = models.PositiveIntegerField(_("position"))
    code = models.CharField(_("code"), max_length=40)
    status = models.CharField(_("status"), max_length=12)
    definition = models.JSONField(_("target as frozen"), encoder=DjangoJSONEncoder)
    assessment = models.JSONField(_("assessment"), encoder=DjangoJSONEncoder)
    explanation = models.TextField(_("reasons and measures"), blank=True)

    class Meta:
        verbose_name = _("frozen target")
        verbose_name_plural = _("frozen targets")
        ordering = ["evaluation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "code"], name="frozen_target_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class FrozenFigure(models.Model):
    """A yearly figure as it stood when its evaluation was frozen, whatever its state."""

    frozen_target = models.ForeignKey(
        FrozenTarget, models.CASCADE, related_name="figures", verbose_name=_("frozen target")
    )
    entry = models.ForeignKey(
        ProgressEntry,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("progress entry"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), null=True, blank=True, **FIGURE)
    achieved = models.BooleanField(_("achieved"), null=True, blank=True)
    quality = models.CharField(_("data quality"), max_length=12, choices=Quality.choices)
    growth = models.DecimalField(
        _("growth at comparable prices (%)"), null=True, blank=True, **FIGURE
    )
    growth_quality = models.CharField(
        _("data quality of the growth"), max_length=12, choices=Quality.choices, blank=True
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    growth_source = models.CharField(_("source of the growth"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ProgressEntry.State.choices)
    return_reason = models.TextField(_("reason for return"), blank=True)
    note = models.TextField(_("note"), blank=True)
    note_public = models.BooleanField(_("note is public"), default=False)
    plausibility_flag = models.TextField(_("plausibility findings"), blank=True)
    plausibility_note = models.TextField(_("explanation of the figure"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        verbose_name = _("frozen figure")
        verbose_name_plural = _("frozen figures")
        ordering = ["frozen_target", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["frozen_target", "year"], name="frozen_figure_one_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.frozen_target.code} {self.year}"


class EvaluationDeletion(models.Model):
    """The record a superuser leaves when deleting an evaluation: what it was, who, why."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="+", verbose_name=_("plan"))
    evaluation_number = models.PositiveIntegerField(_("evaluation number"))
    description = models.CharField(_("evaluation"), max_length=300)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("deleted by")
    )
    deleted_at = models.DateTimeField(_("deleted"), auto_now_add=True)
    reason = models.TextField(_("reason"), **NOTE)

    class Meta:
        verbose_name = _("deleted evaluation")
        verbose_name_plural = _("deleted evaluations")
        ordering = ["-deleted_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="evaluation_deletion_has_reason",
                violation_error_message=_("Deleting an evaluation needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.deleted_at:%Y-%m-%d})"


class StoredStanding(models.Model):
    """A target's status as of a year, kept so that the dashboard filters, sorts and counts
    in the database instead of assessing every target on every request.

    tracker/standings/store.py builds the rows and forgets them in every write that could change
    them.
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


class StoredPayload(models.Model):
    """A target's object in the plan API as of a year, in one language, as JSON text.

    The API joins these instead of assessing and encoding every target on every request;
    tracker/standings/store.py builds and forgets them with the standings. Only the words of a
    plausibility flag depend on the language.
    """

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="+", verbose_name=_("plan"))
    target = models.ForeignKey(
        Target, models.CASCADE, related_name="stored_payloads", verbose_name=_("target")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    language = models.CharField(_("language"), max_length=10)
    json = models.TextField("JSON")
    # The same with approved figures only: for readers who may not see the others.
    json_approved = models.TextField(_("JSON, approved figures only"))

    class Meta:
        verbose_name = _("stored API object")
        verbose_name_plural = _("stored API objects")
        ordering = ["plan", "year", "language", "target"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "year", "language"], name="stored_payload_once"
            ),
        ]
        indexes = [models.Index(fields=["plan", "year", "language"], name="stored_payload_plan")]

    def __str__(self) -> str:
        return f"{self.target_id} {self.year} {self.language}"


@receiver(pre_save, sender=Target)
def _target_statistic(sender, instance: Target, raw: bool = False, **kwargs) -> None:
    """A target reads its plan's region's figures of its indicator: name the indicator by
    the target's code (adding it to the catalogue when new), and the statistic by both."""
    if instance.indicator_id is None and instance.code:
        instance.indicator = Indicator.for_target(instance)
    if not instance.code and instance.indicator_id:
        instance.code = instance.indicator.code
    region_id = Plan.objects.values_list("region", flat=True).get(pk=instance.plan_id)
    if (
        instance.series_id is None
        or not Series.objects.filter(
            pk=instance.series_id, region=region_id, indicator=instance.indicator_id
        ).exists()
    ):
        instance.series, _created = Series.objects.get_or_create(
            region_id=region_id, indicator_id=instance.indicator_id
        )
