"""Each user's own choices: the language of their mail and pages, and which mail they get."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.i18n import set_language

from tracker.models import Profile

# The session key of a language chosen with the switch before signing in.
CHOSEN_BEFORE_SIGN_IN = "language_chosen_before_sign_in"


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
        _pages_speak(response, form.cleaned_data["language"])
        messages.success(request, _("Your choices are saved."))
        return response
    return render(request, "tracker/profile.html", {"form": form})


def _pages_speak(response, language: str) -> None:
    """Set the language cookie the pages follow, as Django's set_language does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )


@login_not_required
def switch_language(request):
    """The header's language switch: Django's set_language, and a signed-in user's profile.

    So the profile page, the mail and the pages speak the language last chosen.
    """
    response = set_language(request)
    language = request.POST.get("language")
    if request.method != "POST" or language not in Profile.Language.values:
        return response
    if request.user.is_authenticated:
        _remember(request.user, language)
    else:
        # Chosen on the sign-in page: signing in keeps it (see SignIn).
        request.session[CHOSEN_BEFORE_SIGN_IN] = language
    return response


def _remember(user, language: str) -> None:
    profile = Profile.of(user)
    if profile.language != language:
        profile.language = language
        profile.save()


class SignIn(auth_views.LoginView):
    """Signing in: the pages then speak the language of the user's profile, or the language
    just chosen on the sign-in page, which becomes the profile's."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        chosen = self.request.session.pop(CHOSEN_BEFORE_SIGN_IN, None)
        response = super().form_valid(form)
        user = form.get_user()
        if chosen in Profile.Language.values:
            _remember(user, chosen)
        _pages_speak(response, Profile.of(user).language)
        return response
