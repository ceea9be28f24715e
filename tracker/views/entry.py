"""Reporting staff enter a year's figures; evidence downloads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker.figures import conversation, workflow, writes
from tracker.figures.rights import (
    is_admin,
    is_reporter,
    may_explain,
    refuse_unless_reports_here,
)
from tracker.forms import EntryForm
from tracker.models import FigureMessage, Plan, ProgressEntry, Target
from tracker.standings.engine import NEEDS_EXPLANATION
from tracker.standings.standing import Standing


@dataclass
class EntryRow:
    target: Target
    entry: ProgressEntry | None
    previous: ProgressEntry | None
    goal: Decimal | None
    expected: Decimal | None
    lock: str | None
    form: EntryForm
    # The figure's conversation, oldest first; whether it waits for an answer to a return.
    thread: list[FigureMessage]
    awaits_answer: bool
    # Whether the row asks for the target's 原因及措施: it lags, or some are written.
    asks_reasons: bool


def _entry_rows(request, plan, year) -> list[EntryRow]:
    targets = (
        Target.objects.for_plan(plan)
        .editable_by(request.user)
        .with_entries(request.user, conversations=True)
    )
    data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    # Computed figures of the year, also those the user may not see yet: never typed over.
    computed = set(
        ProgressEntry.objects.of_plan(plan)
        .filter(year=year, computed=True)
        .values_list("series", flat=True)
    )
    rows = []
    for target in targets:
        target.plan = plan  # one plan object: its closed years are read once
        standing = Standing.of(target, year)
        entry = standing.entries.get(year)
        # The region's figure of the year before, whichever plan's year it was.
        previous = next((e for e in target.entries.all() if e.year == year - 1), None)
        probe = entry or ProgressEntry(
            target=target, year=year, computed=target.series_id in computed
        )
        rows.append(
            EntryRow(
                target=target,
                entry=entry,
                previous=previous,
                goal=standing.goal,
                expected=standing.expected(year),
                lock=probe.lock_reason(request.user),
                form=EntryForm(
                    *data, prefix=f"t{target.pk}", target=target, entry=entry, year=year
                ),
                thread=conversation.thread(entry) if entry else [],
                awaits_answer=bool(entry) and conversation.awaits_answer(entry),
                asks_reasons=may_explain(request.user, target)
                and (
                    standing.assessment.status in NEEDS_EXPLANATION
                    or bool(target.explanation_for(year))
                ),
            )
        )
    return rows


def _posted_prefixes(post) -> set[str]:
    return {key.split("-", 1)[0] for key in post if FIELD_KEY.match(key)}


def _foreign_prefixes(post, rows) -> list[str]:
    """Targets named in the POST that the page did not offer: not the user's to change."""
    offered = {f"t{row.target.pk}" for row in rows}
    return sorted(_posted_prefixes(post) - offered)


FIELD_KEY = re.compile(
    r"^t\d+-(value|achieved|quality|growth|growth_quality|source|growth_source|note|note_public|version"
    r"|answer|reasons)$"
)


def data_entry(request, slug, year):
    plan = get_object_or_404(Plan, slug=slug)
    refuse_unless_reports_here(request.user, plan)
    outside = plan.year_outside(year)
    if outside:
        return render(
            request, "tracker/message.html", {"plan": plan, "message": outside}, status=404
        )
    rows = _entry_rows(request, plan, year)
    if request.method == "POST":
        saved = _save_entry_page(request, plan, year, rows)
        if saved is not None:
            return redirect("tracker:data-entry", slug=plan.slug, year=year)
    context = {
        "plan": plan,
        "year": year,
        "rows": rows,
        "closed": plan.closed_by_year().get(year),
        "open_rows": sum(1 for row in rows if not row.lock),
        "has_errors": any(row.form.errors for row in rows),
        "has_department": bool(rows) or request.user.departments.exists(),
        "no_role": not (is_reporter(request.user) or is_admin(request.user)),
    }
    return render(request, "tracker/data_entry.html", context)


def _save_entry_page(request, plan, year, rows):
    """Validate every row, then save all of them or none; returns the saved or None."""
    foreign = _foreign_prefixes(request.POST, rows)
    if foreign:
        messages.error(request, _("The form names targets you may not change; nothing was saved."))
        return None
    # Locked rows have no inputs on the page: one posted anyway comes from a stale page.
    prefixes = _posted_prefixes(request.POST)
    posted = [row for row in rows if row.form.prefix in prefixes]
    locked = [row for row in posted if row.lock]
    if locked:
        messages.error(request, _("Some rows are locked; nothing was saved."))
        for row in locked:
            messages.error(request, f"{row.target.display_name}: {row.lock}")
        return None
    if not all(row.form.is_valid() for row in posted):
        messages.error(request, _invalid_page_message(posted))
        return None
    submit = "submit" in request.POST
    answers = [row for row in posted if row.form.cleaned_data.get("answer") and row.entry]
    explained = [row for row in posted if _reasons_changed(row)]
    changes, unanswered = [], []
    for row in posted:
        form = row.form
        wants_submit = submit and row.entry and row.entry.state in ("draft", "returned")
        if form.is_blank or (not form.has_changes() and not wants_submit):
            continue
        if submit and row.awaits_answer and row not in answers and not _changes_figure(row):
            unanswered.append(row)  # sent back unchanged and unanswered: left as it is
            continue
        changes.append(
            writes.Change(
                target=row.target,
                figure=form.figure,
                quality=form.cleaned_data["quality"],
                note=form.cleaned_data["note"],
                note_public=form.cleaned_data["note_public"],
                evidence=form.cleaned_data.get("evidence"),
                version=form.cleaned_data["version"],
                flag=form.flag,
                rate=form.rate,
                source=form.cleaned_data["source"],
            )
        )
    if not (changes or answers or explained):
        _say_unanswered(request, unanswered)
        if not unanswered:
            messages.info(request, _("Nothing to save: no figure was entered or changed."))
        return []
    try:
        with transaction.atomic():
            _write_words(request, year, answers, explained)
            saved = writes.save_entries(
                plan=plan, year=year, changes=changes, user=request.user, submit=submit
            )
    except writes.Refused as refusal:
        messages.error(request, str(refusal))
        return None
    if answers:
        messages.success(
            request,
            _("Your answer was posted.") if len(answers) == 1 else _("Your answers were posted."),
        )
    if explained:
        messages.success(request, _("Reasons and measures saved."))
    if saved and submit:
        messages.success(
            request,
            ngettext(
                "%(count)d figure submitted for approval.",
                "%(count)d figures submitted for approval.",
                len(saved),
            )
            % {"count": len(saved)},
        )
    elif saved:
        messages.success(
            request,
            ngettext(
                "%(count)d figure saved as a draft.",
                "%(count)d figures saved as drafts.",
                len(saved),
            )
            % {"count": len(saved)},
        )
    _say_unanswered(request, unanswered)
    return saved


def _changes_figure(row) -> bool:
    form = row.form
    return conversation.changes_figure(
        row.entry,
        figure=form.figure,
        quality=form.cleaned_data["quality"],
        rate=form.rate,
        source=form.cleaned_data["source"],
        evidence=form.cleaned_data.get("evidence"),
    )


def _reasons_changed(row) -> bool:
    if not row.asks_reasons:
        return False
    return row.form.cleaned_data.get("reasons", "").strip() != row.target.explanation_for(
        row.form.year
    )


def _write_words(request, year, answers, explained) -> None:
    """Post the answers to returns and write the reasons and measures, before the figures
    are saved: an answered figure may then be submitted again unchanged."""
    for row in answers:
        workflow.post_message(
            row.entry,
            by=request.user,
            kind=FigureMessage.Kind.ANSWER,
            text=row.form.cleaned_data["answer"],
        )
    for row in explained:
        writes.explain(row.target, year, text=row.form.cleaned_data["reasons"], by=request.user)


def _say_unanswered(request, rows) -> None:
    """Name the returned figures a submit left alone, and say why."""
    if not rows:
        return
    names = _(", ").join(f"{row.target.display_name}" for row in rows)
    messages.warning(
        request,
        _(
            "Not submitted again: %(names)s. Returned and unchanged, they need an answer to "
            "the return first (write it in the row), or a changed figure."
        )
        % {"names": names},
    )


def _invalid_page_message(rows) -> str:
    """Why nothing was saved: errors, or only figures that look implausible."""
    failing = [row.form for row in rows if row.form.errors]
    if all(form.is_questioned and list(form.errors) == [NON_FIELD_ERRORS] for form in failing):
        return _(
            "Some figures look implausible: each such row says why. Correct the figure, or "
            "confirm it with a short explanation the approver will see. Nothing was saved."
        )
    return _("Some rows have errors, shown beside them; nothing was saved.")


def evidence(request, pk):
    """A figure's evidence, to whoever may see the figure; to anyone else, as if there were
    no such figure."""
    entry = get_object_or_404(ProgressEntry.objects.visible_to(request.user), pk=pk)
    if not entry.evidence:
        raise Http404(_("No evidence attached."))
    return FileResponse(
        entry.evidence.open("rb"),
        as_attachment=True,
        filename=entry.evidence_filename,
    )
