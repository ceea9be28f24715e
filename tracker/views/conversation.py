"""A figure's conversation on a page of its own, and a target's reasons and measures."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker.figures import conversation, workflow, writes
from tracker.forms import ExplanationForm, MessageForm
from tracker.models import FigureMessage, ProgressEntry, Target


def _visible_entry(request, pk) -> ProgressEntry:
    """The figure, to whoever may see it in its state; to anyone else, as if there were
    no such figure (so its conversation is theirs to read only with it)."""
    found = (
        ProgressEntry.objects.visible_to(request.user)
        .select_related("series__indicator")
        .prefetch_related(
            Prefetch("messages", queryset=FigureMessage.objects.select_related("author"))
        )
        .with_targets()
    )
    return get_object_or_404(found, pk=pk)


def _refusal(entry: ProgressEntry) -> str:
    """Why a reader of the figure may not write on it: it falls to another department."""
    return _(
        "You may read the messages on %(target)s %(year)s but not write on them: its figures "
        "fall to another department. Ask that department or an administrator."
    ) % {"target": entry.target.display_name, "year": entry.year}


def figure_messages(request, pk):
    """GET: the figure's thread, with a form for whoever may write on it; POST: add one."""
    entry = _visible_entry(request, pk)
    kinds = conversation.kinds_for(request.user, entry)
    if request.method == "POST" and not kinds:
        raise PermissionDenied(_refusal(entry))
    form = MessageForm(request.POST or None, kinds=kinds) if kinds else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            workflow.post_message(
                entry,
                by=request.user,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
            )
        except writes.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Your message was posted."))
            return redirect("tracker:figure-messages", pk=entry.pk)
    context = {
        "entry": entry,
        "target": entry.target,
        "plan": entry.target.plan,
        "thread": conversation.thread(entry),
        "awaits_answer": conversation.awaits_answer(entry),
        "form": form,
    }
    return render(request, "tracker/figure_messages.html", context)


@require_POST
def explain(request, slug, code):
    """Write a target's reasons and measures for a year, from its page."""
    target = get_object_or_404(
        Target.objects.select_related("plan").prefetch_related("co_departments"),
        plan__slug=slug,
        code=code,
    )
    form = ExplanationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: %(why)s") % {"why": form.errors.as_text()})
    else:
        try:
            writes.explain(
                target, form.cleaned_data["year"], text=form.cleaned_data["text"], by=request.user
            )
        except writes.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Reasons and measures saved."))
    return redirect(f"{target.get_absolute_url()}?year={form.data.get('year', '')}#reasons")
