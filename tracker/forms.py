"""Forms validate and normalise: figures come out as Decimals, files checked by content."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker.figures import numbers, plausibility
from tracker.figures.evidence import kind_of
from tracker.figures.numbers import NotANumber, whole_number
from tracker.figures.typed import carries_growth, checked_growth, read_figure
from tracker.figures.typed import clean_figure as clean_figure  # the admin's, and tests'
from tracker.figures.workflow import Rate
from tracker.models import Evaluation, FigureMessage, Plan, ProgressEntry, Target
from tracker.standings import formats
from tracker.text import NOTE_MAX, unstorable

ACHIEVED_CHOICES = [("", "—"), ("yes", _("Yes, achieved")), ("no", _("No, not yet"))]


def check_size(upload, limit: int) -> None:
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; at most %(limit)s is accepted."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )


def clean_evidence_file(upload):
    check_size(upload, settings.EVIDENCE_MAX_BYTES)
    if kind_of(upload) is None:
        raise ValidationError(
            _(
                "“%(name)s” is not a PDF, image, spreadsheet or Word document "
                "(judged by its content, not its name)."
            ),
            code="wrong_type",
            params={"name": upload.name},
        )
    return upload


GROWTH_QUALITY_CHOICES = [("", _("As the figure")), *ProgressEntry.Quality.choices]


class EntryForm(forms.Form):
    """One target's figure for one year, on the data-entry page: for a target that carries
    growth, its level, its growth at comparable prices, or both (`read_figure`)."""

    value = forms.CharField(label=_("Value"), required=False, max_length=numbers.PHRASE_MAX)
    achieved = forms.ChoiceField(label=_("Achieved"), choices=ACHIEVED_CHOICES, required=False)
    quality = forms.ChoiceField(label=_("Data quality"), choices=ProgressEntry.Quality.choices)
    growth = forms.CharField(
        label=_("Growth at comparable prices (%)"),
        required=False,
        max_length=numbers.PHRASE_MAX,
        help_text=_(
            "The growth over the previous year at comparable prices, in percent: 3.1 for "
            "增长3.1%, -2.3 for 下降2.3%. Emptying the box removes the stored growth; a rate "
            "typed in the value box lands here and keeps the level."
        ),
    )
    growth_quality = forms.ChoiceField(
        label=_("Data quality of the growth"), choices=GROWTH_QUALITY_CHOICES, required=False
    )
    source = forms.CharField(label=_("Source"), required=False, max_length=200)
    growth_source = forms.CharField(label=_("Source of the growth"), required=False, max_length=200)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 1})
    )
    note_public = forms.BooleanField(
        label=_("Public note"),
        required=False,
        help_text=_("Show the note on the public pages once the figure is approved."),
    )
    evidence = forms.FileField(label=_("Evidence"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    # Shown only on a row whose figure looks implausible (see clean()).
    confirm = forms.BooleanField(label=_("The figure is right"), required=False)
    explanation = forms.CharField(
        label=_("Why it is right"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 24}),
    )
    confirmed_value = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    # Shown only on a returned figure's row: the reporter's answer to the return.
    answer = forms.CharField(
        label=_("Answer to the return"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # 原因及措施 of the target for the page's year (`Explanation`), not the figure's note.
    reasons = forms.CharField(
        label=_("Reasons and measures"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args, target: Target, entry: ProgressEntry | None, year: int | None = None, **kwargs
    ):
        self.target, self.entry, self.year = target, entry, year
        self.typed, self.findings, self.pasted_growth = "", [], None
        self.carries_growth = not target.is_milestone and carries_growth(target)
        if entry is not None:
            kwargs.setdefault(
                "initial",
                {
                    # Every digit as stored: the display places would round it, and sending
                    # the page back unchanged would store the rounded figure.
                    "value": numbers.as_reported(
                        formats.reported_value(entry, target.decimal_places),
                        target.decimal_places,
                    ),
                    "achieved": {True: "yes", False: "no"}.get(entry.achieved, ""),
                    "quality": entry.quality,
                    "growth": numbers.as_reported(entry.growth, 1),
                    "growth_quality": entry.growth_quality,
                    "source": entry.source,
                    "growth_source": entry.growth_source,
                    "note": entry.note,
                    "note_public": entry.note_public,
                    "version": entry.version,
                },
            )
        else:
            kwargs.setdefault(
                "initial", {"quality": ProgressEntry.Quality.PRELIMINARY, "version": 0}
            )
        super().__init__(*args, **kwargs)
        if year is not None:
            self.initial.setdefault("reasons", target.explanation_for(year))
        if target.is_milestone:
            del self.fields["value"]
        else:
            del self.fields["achieved"]
            self.fields["value"].widget.attrs.update(inputmode="text", size=12)
        if self.carries_growth:
            self.fields["value"].widget.attrs["title"] = _(
                "The figure, its growth, or both, as the bulletin states them"
            )
            self.fields["growth"].widget.attrs["title"] = self.fields["growth"].help_text
            for name, size in (("growth", 6), ("growth_quality", None), ("growth_source", 12)):
                attrs = self.fields[name].widget.attrs
                attrs["aria-label"] = self.fields[name].label
                if size:
                    attrs["size"] = size
            self.fields["growth_source"].widget.attrs["placeholder"] = _("as the figure")
        else:
            for name in ("growth", "growth_quality", "growth_source"):
                del self.fields[name]
        self.fields["source"].widget.attrs.update(size=12, **{"aria-label": _("Source")})

    def clean_value(self):
        # The typed text is kept: a unit sign in it ("31%", "3.2万") is a plausibility finding.
        self.typed = text = self.cleaned_data["value"].strip()
        if not text:
            return None
        reported = read_figure(text, self.target)
        self.pasted_growth = reported.growth
        if reported.growth is None:
            return reported.level
        if reported.level is None:
            # A rate alone goes to the growth: the stored level stays (emptying the box is
            # what removes a level).
            self.typed = ""
            return self.entry.value if self.entry is not None else None
        # Questioned is the level with its unit, not the words and the rate around it.
        self.typed = f"{reported.level}{reported.unit}"
        return reported.level

    def clean_growth(self):
        text = self.cleaned_data.get("growth", "").strip()
        if not text:
            return None
        try:
            reported = numbers.read_reported(text, percent_is_growth=True)
        except numbers.Unreadable as refusal:
            raise ValidationError(str(refusal), code="unreadable") from None
        except NotANumber:
            reported = None
        if reported is None or reported.unit or None not in (reported.level, reported.growth):
            raise ValidationError(
                _("“%(text)s” is not a growth rate. Enter the percent, such as 3.1 or -2."),
                code="not_a_rate",
                params={"text": text},
            )
        rate = reported.level if reported.growth is None else reported.growth
        return checked_growth(rate, text)

    def clean_growth_source(self):
        return self.cleaned_data.get("growth_source", "").strip()

    def clean_source(self):
        return self.cleaned_data.get("source", "").strip()

    def clean(self):
        cleaned = super().clean()
        self._settle_growth(cleaned)
        self._check_plausibility(cleaned)
        return cleaned

    def _settle_growth(self, cleaned) -> None:
        """One growth rate from the two boxes: a rate pasted into the value box wins over
        the one stored (the growth box left as it was); two different rates are refused."""
        if not self.carries_growth or self.pasted_growth is None or "growth" not in cleaned:
            return
        boxed, stored = cleaned.get("growth"), self.entry.growth if self.entry else None
        if boxed is not None and boxed != stored and boxed != self.pasted_growth:
            self.add_error(
                "value",
                ValidationError(
                    _(
                        "The value gives a growth of %(pasted)s%%, the growth box %(boxed)s%%: "
                        "keep one."
                    ),
                    code="two_rates",
                    params={"pasted": self.pasted_growth, "boxed": boxed},
                ),
            )
            return
        cleaned["growth"] = self.pasted_growth

    def _check_plausibility(self, cleaned) -> None:
        """Question a new figure that looks implausible until its reporter confirms it.

        A confirmation counts for the figure it was given for (`confirmed_value`), so
        changing the figure afterwards asks again.
        """
        value = cleaned.get("value")
        if self.year is None or value is None or not self.changes_figure:
            return
        self.findings = self.target.check_figure(value, self.year, self.typed)
        if not self.findings:
            return
        if not cleaned.get("confirm") or cleaned.get("confirmed_value") != str(value):
            self.add_error(
                None,
                ValidationError(
                    _("Correct the figure, or tick “The figure is right” and say why."),
                    code="implausible",
                ),
            )
            return
        try:
            plausibility.explained_flag(self.findings, cleaned.get("explanation", ""))
        except plausibility.Unexplained:
            self.add_error("explanation", _("Say why the figure is right."))

    @property
    def changes_figure(self) -> bool:
        """Whether the posted figure differs from the stored one (or there is none)."""
        if self.entry is None:
            return True
        current = self.entry.achieved if self.target.is_milestone else self.entry.value
        return self.cleaned_data.get("value") != current

    @property
    def is_questioned(self) -> bool:
        """Findings the reporter has not confirmed yet: the row asks for a decision."""
        return any(e.code == "implausible" for e in self.non_field_errors().as_data())

    @property
    def flag(self) -> tuple[str, str] | None:
        """The findings and explanation a saved figure carries; None keeps the stored ones."""
        if self.target.is_milestone or not self.changes_figure:
            return None
        return plausibility.explained_flag(self.findings, self.cleaned_data.get("explanation", ""))

    def clean_achieved(self):
        return {"yes": True, "no": False}.get(self.cleaned_data["achieved"])

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        return clean_evidence_file(upload) if upload else None

    def clean_version(self):
        version = self.cleaned_data.get("version")
        return 0 if version is None else version

    @property
    def figure(self):
        """The value or, for a milestone, whether it was achieved; None when left blank."""
        key = "achieved" if self.target.is_milestone else "value"
        return self.cleaned_data.get(key)

    @property
    def rate(self) -> Rate | None:
        """The growth at comparable prices with its quality and source; None where the
        target carries none (what is stored stays)."""
        if not self.carries_growth:
            return None
        return Rate(
            growth=self.cleaned_data.get("growth"),
            quality=self.cleaned_data.get("growth_quality", ""),
            source=self.cleaned_data.get("growth_source", ""),
        )

    @property
    def is_blank(self) -> bool:
        """Neither a figure nor a growth rate: the row is left as it is."""
        return self.figure is None and (self.rate is None or self.rate.growth is None)

    def has_changes(self) -> bool:
        """Whether saving this row would change the stored figure."""
        entry = self.entry
        if entry is None:
            return not self.is_blank
        current = entry.achieved if self.target.is_milestone else entry.value
        rate = self.rate
        return (
            self.figure != current
            or self.cleaned_data["quality"] != entry.quality
            or self.cleaned_data["source"] != entry.source
            or self.cleaned_data["note"] != entry.note
            or self.cleaned_data["note_public"] != entry.note_public
            or (rate is not None and rate != Rate.of(entry))
            or bool(self.cleaned_data.get("evidence"))
        )


class MessageForm(forms.Form):
    """A message on a figure's conversation, of the kinds its writer may post."""

    kind = forms.ChoiceField(label=_("Kind"), choices=FigureMessage.Kind.choices)
    text = forms.CharField(
        label=_("Message"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(FigureMessage.Kind.choices)
        self.fields["kind"].choices = [(kind, labels[kind]) for kind in kinds]

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        problem = unstorable(text)
        if problem:
            raise ValidationError(problem, code="unstorable")
        return text


class ExplanationForm(forms.Form):
    """A target's 原因及措施 for a year: why it lags and what is done about it."""

    year = forms.IntegerField(label=_("Year"), min_value=1949, max_value=2100)
    text = forms.CharField(
        label=_("Reasons and measures"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    """A required reason: for returning a figure, reopening a figure or a year."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a reason.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give a reason."), code="required")
        return reason


class CloseYearForm(forms.Form):
    reason = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        help_text=_("For example: the statistics bulletin of that year is published."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        help_text=_(
            "A filled data-entry template, or the “Yearly data” sheet of a progress report."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_size(upload, settings.IMPORT_MAX_BYTES)
        return upload


class TargetsImportForm(ImportForm):
    """The same upload, for the sheet of target definitions."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "The targets sheet downloaded above, edited: one row per target, with the same "
            "headers. Not a data-entry template or a progress report."
        )


class EvaluationForm(forms.ModelForm):
    """What an administrator gives when freezing an evaluation; the rest comes from the plan."""

    class Meta:
        model = Evaluation
        fields = ["kind", "year", "title", "date", "summary"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    confirm_repeat = forms.BooleanField(
        label=_("Freeze another evaluation of this kind and year"),
        required=False,
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["year"] = forms.TypedChoiceField(
            label=_("Status as of"),
            choices=[(y, y) for y in plan.years],
            coerce=int,
            initial=plan.status_year(),
        )
        # The plan's evaluations of the kind and year asked for: another is frozen only
        # when the administrator confirms it (a repeat is usually a second click).
        self.repeats = self._repeats()
        if not self.repeats:
            del self.fields["confirm_repeat"]

    def _repeats(self) -> list[Evaluation]:
        if not self.is_bound:
            return []
        kind, year = self.data.get("kind"), whole_number(str(self.data.get("year") or ""))
        if not kind or year is None:
            return []
        return list(self.plan.evaluations.filter(kind=kind, year=year).order_by("frozen_at"))

    def clean(self):
        cleaned = super().clean()
        if self.repeats and not cleaned.pop("confirm_repeat", False):
            self.add_error(
                "confirm_repeat",
                ngettext(
                    "An evaluation of this kind and year is already frozen. Tick the box "
                    "to freeze another.",
                    "%(count)d evaluations of this kind and year are already frozen. Tick "
                    "the box to freeze another.",
                    len(self.repeats),
                )
                % {"count": len(self.repeats)},
            )
        cleaned.pop("confirm_repeat", None)
        return cleaned

    def clean_date(self):
        """The day it is published: within the plan's time and a few years after it."""
        day = self.cleaned_data["date"]
        first, last = self.plan.baseline_year, self.plan.end_year + 5
        if not first <= day.year <= last:
            raise ValidationError(
                _("Give a date from %(first)s to %(last)s."),
                code="date_out_of_range",
                params={"first": first, "last": last},
            )
        return day


class NextPlanForm(forms.Form):
    """The new plan's identity and years; everything else is carried over from the source."""

    slug = forms.SlugField(label=_("Slug"), max_length=80)
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    start_year = forms.IntegerField(label=_("First year"), min_value=1949, max_value=2100)
    end_year = forms.IntegerField(label=_("Last year"), min_value=1949, max_value=2100)

    def __init__(self, *args, source: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.fields["start_year"].initial = source.end_year + 1
        self.fields["end_year"].initial = source.end_year + 5

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Plan.objects.filter(slug=slug).exists():
            raise ValidationError(
                _("A plan with the slug “%(slug)s” exists already."),
                code="slug_taken",
                params={"slug": slug},
            )
        return slug

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if start is not None and start <= self.source.end_year:
            self.add_error(
                "start_year",
                ValidationError(
                    _("The next plan must begin after %(year)s, the last year of %(plan)s."),
                    code="overlaps_source",
                    params={"year": self.source.end_year, "plan": self.source.name},
                ),
            )
        if start is not None and end is not None and end < start:
            self.add_error(
                "end_year",
                ValidationError(_("The last year cannot come before the first."), code="order"),
            )
        return cleaned


class PublishingForm(forms.Form):
    """Publishing a plan or withdrawing it: the state asked for and why."""

    published = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the record of publications, with your name and the time."),
    )
