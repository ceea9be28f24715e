"""Administrators approve, return and reopen figures, and close or reopen years."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from tracker.figures import conversation, workflow, writes
from tracker.figures.numbers import GROUP_FROM, shown_as_reported, whole_number
from tracker.figures.rights import require_admin
from tracker.filters import ApprovalFilter
from tracker.forms import CloseYearForm, ReasonForm
from tracker.models import (
    Department,
    FigureMessage,
    Plan,
    ProgressEntry,
    Target,
    display_user,
    reading_target,
)
from tracker.reminders import deadlines, todo
from tracker.reminders import mail as notify
from tracker.views.common import administered_plan

Action = ProgressEntry.Action


def _one_plan_object_each(entries) -> None:
    """Let entries of one plan share its object, so its closed years are read once."""
    plans = {}
    for entry in entries:
        entry.target.plan = plans.setdefault(entry.target.plan_id, entry.target.plan)


def _change(before, entry) -> str:
    """The change on the year before, signed, with every digit reported, grouped by
    thousands when the figures beside it are (+1,800.0 between 32,300.0 and 34,100.0);
    "" when either figure is missing."""
    if before is None or before.value is None or entry.value is None:
        return ""
    change = entry.value - before.value
    grouped = max(abs(before.value), abs(entry.value)) >= GROUP_FROM
    shown = shown_as_reported(change, entry.target.decimal_places, grouped=grouped)
    return f"+{shown}" if change > 0 else shown


PER_PAGE = 50
# The query parameters of the approvals page that a post keeps: its filters and its page.
KEPT = ("plan", "department", "year", "page")


def _kept(request, names=KEPT) -> str:
    """The approvals page's query parameters among `names`, as "plan=…&page=2": a post made
    from a filtered page brings the approver back to that page."""
    kept = QueryDict(mutable=True)
    for name in names:
        if request.GET.get(name):
            kept[name] = request.GET[name]
    return kept.urlencode()


def _kept_query(request) -> str:
    """`_kept` as a query string to append to a URL: "?plan=…&page=2", or ""."""
    kept = _kept(request)
    return f"?{kept}" if kept else ""


def _back(request):
    return redirect(reverse("tracker:approvals") + _kept_query(request))


@dataclass(frozen=True)
class _Years:
    """A plan's years, as `reading_target` asks them."""

    start_year: int
    end_year: int
    baseline_year: int


@dataclass(frozen=True)
class _Place:
    """Where a target puts its figures on the page: its lead department's name, plan, area
    and order; with its plan's years, to choose it as the figure's target."""

    plan: _Years
    department: str
    plan_id: int
    area_order: int
    order: int


PLACE = ("series_id", "plan_id", "plan__start_year", "plan__end_year", "plan__baseline_year")
PLACE += ("lead_department__name", "area__order", "order")


def _in_page_order(figures, plan: Plan | None) -> list[int]:
    """The ids of `figures` in the order the page groups them (lead department, year, plan,
    area, target), read as plain values: showing 50 of thousands builds 50 figures.

    Each figure is placed by the target `with_targets` gives it (`reading_target`; the
    plan's own when a plan is chosen)."""
    targets = Target.objects.filter(series__in=figures.values("series"))
    if plan is not None:
        targets = targets.filter(plan=plan)
    by_series: dict[int, list[_Place]] = {}
    for t in targets.order_by("plan__start_year", "plan_id").values(*PLACE):
        years = _Years(t["plan__start_year"], t["plan__end_year"], t["plan__baseline_year"])
        place = _Place(
            years, t["lead_department__name"] or "", t["plan_id"], t["area__order"], t["order"]
        )
        by_series.setdefault(t["series_id"], []).append(place)
    keyed = []
    for pk, series, year in figures.values_list("pk", "series_id", "year"):
        place = reading_target(by_series.get(series, ()), year)
        key = (
            (place.department, year, place.plan_id, place.area_order, place.order)
            if place
            else ("", year, 0, 0, 0)
        )
        keyed.append((key, pk))
    return [pk for _key, pk in sorted(keyed)]


def _rows(page: list[ProgressEntry], user) -> list:
    """The page's figures grouped by lead department and year, each row with the figure of
    the year before, the change on it and the lock that keeps the approver off it."""
    previous = {
        (e.series_id, e.year): e
        for e in ProgressEntry.objects.filter(
            series__in={e.series_id for e in page}, year__in={e.year - 1 for e in page}
        )
    }
    groups = {}
    for entry in page:
        before = previous.get((entry.series_id, entry.year - 1))
        if before is not None:
            before.target = entry.target  # shown as the figure it precedes is
        lock = entry.lock_reason(user, Action.REVIEW)
        key = (entry.target.lead_department, entry.year)
        groups.setdefault(key, []).append((entry, before, _change(before, entry), lock))
    return [
        (dept, year, items, any(not lock for *_rest, lock in items))
        for (dept, year), items in groups.items()
    ]


def approvals(request):
    """The figures awaiting approval, filtered and a page at a time, in one form: of the
    plans of the administrator's region (of every region, for an administrator of all)."""
    require_admin(request.user, anywhere=True)
    filterset = ApprovalFilter(
        request.GET,
        queryset=ProgressEntry.objects.administered_by(request.user)
        .filter(state=ProgressEntry.State.SUBMITTED)
        .select_related("series__indicator", "entered_by")
        .with_targets(),
        user=request.user,
    )
    # Each figure once, with the target of the latest plan of its region that reads it
    # (of the plan filtered on, if any); ordered as the groups read, a page at a time.
    figures = filterset.qs  # validates the filters
    chosen = filterset.form.cleaned_data.get("plan")
    page = Paginator(_in_page_order(figures, chosen), PER_PAGE).get_page(request.GET.get("page"))
    messages_of = Prefetch("messages", queryset=FigureMessage.objects.select_related("author"))
    shown = figures.filter(pk__in=page.object_list).prefetch_related(messages_of).in_bulk()
    entries = [shown[pk] for pk in page.object_list if pk in shown]
    _one_plan_object_each(entries)
    for entry in entries:
        entry.thread = conversation.thread(entry)
    groups = _rows(entries, request.user)
    context = {
        "filter": filterset,
        "page": page,
        "groups": groups,
        "actionable": any(actionable for *_rest, actionable in groups),
        "here": _kept_query(request),
        "filters": _kept(request, names=KEPT[:-1]),
        "plans": _closing(chosen, request.user),
    }
    return render(request, "tracker/approvals.html", context)


def _closing(chosen: Plan | None, user) -> list:
    """Each plan's years, closed (by whom, when, why) or open, with why one cannot be closed
    yet: of the plan filtered on, if any."""
    plans = Plan.objects.administered_by(user).with_closed_years()
    if chosen is not None:
        plans = plans.filter(pk=chosen.pk)
    rows = []
    for plan in plans:
        closed = plan.closed_by_year()
        dues = deadlines.last_dues(plan)
        years = [
            (year, closed.get(year), writes.close_lock(plan, year, dues=dues))
            for year in plan.entry_years
        ]
        rows.append((plan, years))
    return rows


def _picked(request) -> list[tuple[int, int]]:
    """The ticked figures, each as (id, version shown)."""
    picked = []
    for value in request.POST.getlist("entry"):
        pk, _sep, version = value.partition(":")
        pk, version = whole_number(pk), whole_number(version)
        if pk is not None and version is not None:
            picked.append((pk, version))
    return picked


@require_POST
def approve(request):
    """Approve every ticked figure the rules allow; say which were approved and which not, why."""
    require_admin(request.user, anywhere=True)
    picked = _picked(request)
    if not picked:
        messages.info(request, _("Nothing was approved: no figure was ticked."))
        return _back(request)
    entries = (
        ProgressEntry.objects.administered_by(request.user)
        .select_related("series__indicator", "entered_by", "reviewed_by")
        .with_targets()
        .in_bulk([pk for pk, _v in picked])
    )
    _one_plan_object_each(entries.values())
    flagged = _flagged(entries, picked)
    if flagged and "confirm_flagged" not in request.POST:
        # Approving a questioned figure is a decision of its own: show what was questioned.
        context = {
            "flagged": flagged,
            "picked": request.POST.getlist("entry"),
            "here": _kept_query(request),
        }
        return render(request, "tracker/approve_flagged.html", context)
    found = [(entries[pk], version) for pk, version in picked if pk in entries]
    if not found:
        messages.warning(request, _("Nothing was approved: the ticked figures no longer exist."))
        return _back(request)
    try:
        done = writes.approve_each(found, by=request.user)
    except writes.Refused as refusal:
        messages.error(request, _("Nothing was approved. %(why)s") % {"why": refusal})
        return _back(request)
    _tell(request, done, gone=len(picked) - len(found))
    return _back(request)


def _named(entry) -> str:
    return f"{entry.target.display_name} {entry.year}"


def _listed(texts: list[str], most: int, separator: str) -> str:
    """The first `most` texts joined, with how many more there are."""
    shown = separator.join(texts[:most])
    rest = len(texts) - most
    if rest > 0:
        shown += ngettext(" … and %(count)d more", " … and %(count)d more", rest) % {"count": rest}
    return shown


def _tell(request, done: writes.Approval, gone: int) -> None:
    """Name what was approved, and what was not with its reason."""
    if done.approved:
        names = _listed([_named(entry) for entry in done.approved], 10, _(", "))
        count = len(done.approved)
        messages.success(
            request,
            ngettext(
                "%(count)d figure approved: %(names)s.",
                "%(count)d figures approved: %(names)s.",
                count,
            )
            % {"count": count, "names": names},
        )
    reasons = [
        _("%(figure)s — %(why)s") % {"figure": _named(entry), "why": why}
        for entry, why in done.refused
    ]
    if gone:
        reasons.append(
            ngettext(
                "%(count)d ticked figure no longer exists",
                "%(count)d ticked figures no longer exist",
                gone,
            )
            % {"count": gone}
        )
    if reasons:
        count = len(done.refused) + gone
        text = ngettext(
            "%(count)d figure not approved: %(reasons)s.",
            "%(count)d figures not approved: %(reasons)s.",
            count,
        ) % {"count": count, "reasons": _listed(reasons, 20, pgettext("between reasons", "; "))}
        level = messages.WARNING if done.approved else messages.ERROR
        messages.add_message(request, level, text)


def _flagged(entries, picked) -> list[ProgressEntry]:
    """The submitted figures among those picked that were confirmed although implausible."""
    return [
        entries[pk]
        for pk, _version in picked
        if pk in entries and entries[pk].is_flagged and entries[pk].state == "submitted"
    ]


def _reasoned(request, action, *args, **kwargs):
    """Run a write that needs a reason; messages say what happened."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        # Empty, or longer than the form keeps: say which, in the form's own words.
        messages.error(
            request,
            _("Nothing was changed: %(why)s") % {"why": " ".join(form.errors["reason"])},
        )
        return False
    try:
        action(*args, by=request.user, reason=form.cleaned_data["reason"], **kwargs)
    except writes.Refused as refusal:
        messages.error(request, str(refusal))
        return False
    return True


def _administered_entry(request, pk) -> ProgressEntry:
    """The figure `pk` for its region's administrators: a 403 for anyone who administers no
    region, a 404 for another region's figure, as for one that does not exist."""
    require_admin(request.user, anywhere=True)
    figures = ProgressEntry.objects.administered_by(request.user).with_targets()
    return get_object_or_404(figures, pk=pk)


def _posted_version(request) -> int:
    version = whole_number(request.POST.get("version", ""))
    return -1 if version is None else version


@require_POST
def return_entry(request, pk):
    entry = _administered_entry(request, pk)
    if _reasoned(request, workflow.return_entry, entry, version=_posted_version(request)):
        messages.success(
            request,
            _("Returned: %(figure)s, with your reason.") % {"figure": _named(entry)},
        )
    return _back(request)


def reopen_entry(request, pk):
    """Reopen an approved figure with a reason; asked for on a page of its own (GET)."""
    entry = _administered_entry(request, pk)
    from_entry_page = request.GET.get("from") == "entry" or request.POST.get("from") == "entry"
    if request.method == "POST":
        if _reasoned(request, workflow.reopen, entry, version=_posted_version(request)):
            messages.success(request, _("The figure is reopened: it can be corrected now."))
        if from_entry_page:
            return redirect("tracker:data-entry", slug=entry.target.plan.slug, year=entry.year)
        return redirect(entry.target.get_absolute_url())
    context = {
        "entry": entry,
        "plan": entry.target.plan,
        "lock": entry.lock_reason(request.user, Action.REOPEN),
        "from_entry_page": from_entry_page,
        "form": ReasonForm(),
    }
    return render(request, "tracker/reopen_entry.html", context)


def close_year(request, slug, year):
    """Closing a year first lists what it still lacks (figures missing, figures not
    approved) and asks to confirm; a year that cannot be closed yet says why, and offers
    no button (`writes.close_lock`)."""
    plan = administered_plan(request, slug)
    form = CloseYearForm(request.POST or None)
    lock = writes.close_lock(plan, year)
    if request.method == "POST" and "confirm" in request.POST and form.is_valid():
        try:
            writes.close_year(plan, year, by=request.user, reason=form.cleaned_data["reason"])
        except writes.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Year %(year)s is closed.") % {"year": year})
            return redirect("tracker:approvals")
        return redirect("tracker:close-year", slug=plan.slug, year=year)
    # What the year lacks, where it matters: a year that can be closed now, or soon.
    shown = lock is None or lock.code == "before_deadline"
    gaps = todo.year_gaps(plan, year) if shown else None
    context = {"plan": plan, "year": year, "form": form, "lock": lock, "gaps": gaps}
    return render(request, "tracker/close_year.html", context)


@require_POST
def reopen_year(request, slug, year):
    plan = administered_plan(request, slug)
    if _reasoned(request, writes.reopen_year, plan, year):
        messages.success(request, _("Year %(year)s is open again.") % {"year": year})
    return redirect("tracker:approvals")


@require_POST
def remind_departments(request, slug):
    """Remind one department (`department`), or every department with figures outstanding,
    of a year's figures, now; then say who was reminded and who was not, and why."""
    plan = administered_plan(request, slug, Plan.objects.with_closed_years())
    back = redirect("tracker:departments", slug=plan.slug)
    year = whole_number(request.POST.get("year", ""))
    lock = plan.reporting_lock(year) if year is not None else _("Choose a year.")
    if lock:
        messages.error(request, _("Nobody was reminded: %(why)s") % {"why": lock})
        return back
    # Only the plan's own departments: those leading one of its targets.
    chosen = Department.objects.filter(led_targets__plan=plan).distinct()
    if request.POST.get("department"):
        chosen = chosen.filter(pk=whole_number(request.POST["department"]) or 0)
        if not chosen:
            raise Http404(_("No such department leads a target of this plan."))
    try:
        done = notify.remind_now(plan, year, chosen, on=deadlines.today())
    except ImproperlyConfigured as error:  # no SITE_URL: the mail's links cannot be made
        messages.error(request, _("Nobody was reminded: %(why)s") % {"why": error})
        return back
    _say_who_was_reminded(request, year, done)
    return back


def _say_who_was_reminded(request, year: int, done) -> None:
    if done.sent:
        names = _(", ").join(
            ngettext("%(name)s (%(n)d figure)", "%(name)s (%(n)d figures)", n)
            % {"name": display_user(user), "n": n}
            for user, n in done.sent
        )
        messages.success(
            request,
            ngettext(
                "Reminded %(count)d person of the %(year)s figures: %(names)s.",
                "Reminded %(count)d people of the %(year)s figures: %(names)s.",
                len(done.sent),
            )
            % {"count": len(done.sent), "year": year, "names": names},
        )
    if done.skipped:
        names = pgettext("between reasons", "; ").join(
            _("%(name)s: %(why)s") % {"name": display_user(user), "why": why}
            for user, why in done.skipped
        )
        messages.warning(
            request,
            ngettext(
                "Not reminded, %(count)d person: %(names)s.",
                "Not reminded, %(count)d people: %(names)s.",
                len(done.skipped),
            )
            % {"count": len(done.skipped), "names": names},
        )
    for department in done.nobody:
        messages.warning(
            request,
            _("Nobody in %(department)s may enter its figures: add a reporter to it.")
            % {"department": department.display_name},
        )
    if not (done.sent or done.skipped or done.nobody):
        messages.info(
            request,
            _("Nobody was reminded: no figure of %(year)s is missing, in draft or returned.")
            % {"year": year},
        )
