"""Each user's own choices: the language of their mail and pages, and which mail they get."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.models import Profile


class ProfileForm(forms.ModelForm):
    field_order = ["email", "language", "reminders", "notices"]
    email = forms.EmailField(
        label=gettext_lazy("Email address"),
        required=False,
        help_text=gettext_lazy("Reminders and notices go here; without one you get no mail."),
    )

    class Meta:
        model = Profile
        fields = ["language", "reminders", "notices"]
        widgets = {"language": forms.RadioSelect}


def profile(request):
    instance = Profile.of(request.user)
    form = ProfileForm(
        request.POST or None, instance=instance, initial={"email": request.user.email}
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        request.user.email = form.cleaned_data["email"]
        request.user.save(update_fields=["email"])
        response = redirect("tracker:profile")
        # The pages follow the language chosen here, as the language switch would.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            form.cleaned_data["language"],
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
        messages.success(request, _("Your choices are saved."))
        return response
    return render(request, "tracker/profile.html", {"form": form})
