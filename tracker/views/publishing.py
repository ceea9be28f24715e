"""Publishing a plan at /public/ or withdrawing it, with a reason, and the record of both."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tracker.figures.workflow import Refused
from tracker.forms import PublishingForm
from tracker.plans import publishing as switch
from tracker.views.common import administered_plan


def publishing(request, slug):
    plan = administered_plan(request, slug)
    asked = "0" if plan.published else "1"
    form = PublishingForm(request.POST or None, initial={"published": asked})
    if request.method == "POST" and form.is_valid():
        try:
            switch.set_published(plan=plan, by=request.user, **form.cleaned_data)
        except Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("The plan is published at its public address.")
                if plan.published
                else _("The plan is withdrawn from the public pages."),
            )
            return redirect("tracker:publishing", plan.slug)
    context = {
        "plan": plan,
        "form": form,
        "publications": plan.publications.select_related("by"),
    }
    return render(request, "tracker/publishing.html", context)
