"""The accounts admin.

People who did recorded work (entered, reviewed or imported figures, closed a year, or
appear in a history) are deactivated rather than deleted, so that every page can still
name them. Administrators who are not superusers manage accounts and the two roles, but
grant no other power: superuser and staff status, other groups and single permissions stay
with superusers, and superusers' accounts are out of their reach.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tracker.figures.rights import ADMINISTRATORS, REPORTERS
from tracker.models import ClosedYear, ImportBatch, ProgressEntry

User = get_user_model()
POWERS = ["is_superuser", "is_staff", "user_permissions"]
OWN_ACCOUNT = gettext_lazy(
    "You cannot deactivate or delete your own account, nor take away your own role: "
    "ask another administrator."
)


def has_recorded_work(user) -> bool:
    """Whether any figure, closed year, import or history record names this user."""
    return (
        ProgressEntry.objects.filter(Q(entered_by=user) | Q(reviewed_by=user)).exists()
        or ProgressEntry.history.filter(history_user_id=user.pk).exists()
        or ClosedYear.objects.filter(closed_by=user).exists()
        or ImportBatch.objects.filter(Q(imported_by=user) | Q(reverted_by=user)).exists()
    )


@admin.action(description=gettext_lazy("Deactivate the selected accounts"))
def deactivate(modeladmin, request, queryset):
    if queryset.filter(pk=request.user.pk).exists():
        modeladmin.message_user(request, OWN_ACCOUNT, messages.WARNING)
    count = queryset.exclude(pk=request.user.pk).filter(is_active=True).update(is_active=False)
    if count:
        message = ngettext(
            "%(count)d account deactivated.", "%(count)d accounts deactivated.", count
        ) % {"count": count}
        modeladmin.message_user(request, message, messages.SUCCESS)
    else:
        modeladmin.message_user(request, _("No account was deactivated."), messages.WARNING)


class AccountAdmin(UserAdmin):
    actions = [deactivate]

    def get_queryset(self, request):
        accounts = super().get_queryset(request)
        if request.user.is_superuser:
            return accounts
        return accounts.filter(is_superuser=False)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            # Nobody locks themselves out by a slip of the mouse.
            fields = [*fields, "is_active", "groups"]
        return fields if request.user.is_superuser else [*fields, *POWERS]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=[ADMINISTRATORS, REPORTERS])
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        account = self.get_object(request, object_id)
        if account is not None and account.pk == request.user.pk:
            self.message_user(request, OWN_ACCOUNT, messages.ERROR)
            return redirect("admin:auth_user_change", account.pk)
        if account is None or not has_recorded_work(account):
            return super().delete_view(request, object_id, extra_context)
        if not self.has_change_permission(request, account):
            return super().delete_view(request, object_id, extra_context)
        if request.method == "POST" and "deactivate" in request.POST:
            account.is_active = False
            account.save(update_fields=["is_active"])
            self.message_user(
                request,
                _("%(user)s is deactivated: the account can no longer sign in.")
                % {"user": account.username},
            )
            return redirect("admin:auth_user_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Deactivate instead of deleting"),
            "account": account,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/auth/user/deactivate_instead.html", context)


admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
