"""The accounts admin.

People who did recorded work (entered, reviewed or imported figures, closed a year, or
appear in a history) are deactivated rather than deleted, so that every page can still
name them. Administrators who are not superusers manage accounts and the two roles, but
grant no other power: superuser status, other groups and single permissions stay with
superusers, and superusers' accounts are out of their reach. Staff status follows the
administrators' role, so that an administrator made here can use the admin.
Role groups are shown by their names in the reader's language.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tracker.figures.rights import ADMINISTRATORS, REPORTERS, VIEWERS, region_of
from tracker.models import ClosedYear, ImportBatch, Profile, ProgressEntry, Region
from tracker.models import full_name as name_in_order

User = get_user_model()
POWERS = ["is_superuser", "is_staff", "user_permissions"]
# The role groups' names, as people read them; the stored names are the code's.
ROLE_NAMES = {
    ADMINISTRATORS: gettext_lazy("administrators"),
    REPORTERS: gettext_lazy("reporters"),
    VIEWERS: gettext_lazy("viewers"),
}
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


def group_label(group) -> str:
    """A group as people read it: a role in their language, any other group by its name."""
    return str(ROLE_NAMES.get(group.name, group.name))


class RoleFilter(admin.RelatedFieldListFilter):
    """The user list's filter by group, the roles named in the reader's language."""

    def field_choices(self, field, request, model_admin):
        choices = super().field_choices(field, request, model_admin)
        return [(pk, str(ROLE_NAMES.get(name, name))) for pk, name in choices]


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


class RegionInline(admin.StackedInline):
    """The account's region: where an administrator acts and what a viewer reads. An
    administrator of one region gives accounts their own region or one below it, never
    none (which would be every region)."""

    model = Profile
    fields = ["region"]
    can_delete = False
    max_num = 1
    verbose_name = verbose_name_plural = gettext_lazy("region")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region" and region_of(request.user) is not None:
            kwargs["queryset"] = Region.objects.overseen_by(request.user)
            kwargs["required"] = True
            kwargs["help_text"] = _(
                "Required: your own region or one below it. Administrators act on the plans "
                "of this region only; administrators and viewers read the approved figures "
                "of this region and the regions below it."
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AccountAdmin(UserAdmin):
    actions = [deactivate]
    inlines = [RegionInline]
    list_display = ["username", "full_name", "email", "role", "department_names", "is_active"]
    list_filter = ["is_active", ("groups", RoleFilter), "departments", "is_staff", "is_superuser"]

    def get_inlines(self, request, obj):
        # The region is given on the account's page, after its name and password.
        return self.inlines if obj is not None else []

    def get_queryset(self, request):
        # The list's role and department columns read each from one query for the page.
        accounts = super().get_queryset(request).prefetch_related("groups", "departments")
        if request.user.is_superuser:
            return accounts
        accounts = accounts.filter(is_superuser=False)
        if region_of(request.user) is None:
            return accounts
        # An administrator of one region: the accounts of that region and those below it.
        regions = Region.objects.overseen_by(request.user)
        return accounts.filter(
            Q(profile__region__in=regions) | Q(departments__region__in=regions)
        ).distinct()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            # Nobody locks themselves out by a slip of the mouse.
            fields = [*fields, "is_active", "groups", "role"]
        return fields if request.user.is_superuser else [*fields, *POWERS]

    def get_fieldsets(self, request, obj=None):
        """One's own groups are shown as one's role, named in the reader's language."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.pk != request.user.pk:
            return fieldsets
        return [
            (
                name,
                {**options, "fields": [f if f != "groups" else "role" for f in options["fields"]]},
            )
            for name, options in fieldsets
        ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=[ADMINISTRATORS, REPORTERS, VIEWERS])
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups":
            field.label_from_instance = group_label
            field.help_text = _(
                "Administrators run the plans of their region and use this admin (their staff "
                "status follows the role); reporters enter their departments' figures; viewers "
                "read the approved figures of their region and the regions below it."
            )
        return field

    def save_related(self, request, form, formsets, change):
        """Give staff status as the administrators' role implies, once the groups are saved:
        an administrator who may not set the flag still makes administrators who can use
        the admin. A superuser may give staff status beyond the role; nobody takes it from
        an administrator."""
        super().save_related(request, form, formsets, change)
        account = form.instance
        mine = region_of(request.user)
        if mine is not None and Profile.objects.filter(user=account, region=None).exists():
            # An administrator of one region makes no account of every region.
            Profile.objects.filter(user=account).update(region=mine)
        elif mine is not None and not Profile.objects.filter(user=account).exists():
            Profile.objects.create(user=account, region_id=mine)
        administrator = account.groups.filter(name=ADMINISTRATORS).exists()
        staff = administrator or (request.user.is_superuser and account.is_staff)
        if account.is_staff != staff:
            account.is_staff = staff
            account.save(update_fields=["is_staff"])

    @admin.display(description=gettext_lazy("name"), ordering="first_name")
    def full_name(self, account):
        """The name as the pages write it (王芳, Ann Lee)."""
        return name_in_order(account.first_name, account.last_name) or "—"

    @admin.display(description=gettext_lazy("role"))
    def role(self, account):
        groups = sorted(account.groups.all(), key=lambda group: group.name)
        return ", ".join(group_label(group) for group in groups) or "—"

    @admin.display(description=gettext_lazy("departments"))
    def department_names(self, account):
        return ", ".join(sorted(d.name for d in account.departments.all())) or "—"

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


class RoleGroupAdmin(GroupAdmin):
    """Groups (a superuser's page): the roles named in the reader's language."""

    list_display = ["shown_name", "name"]

    @admin.display(description=gettext_lazy("name"), ordering="name")
    def shown_name(self, group):
        return group_label(group)


admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
admin.site.unregister(Group)
admin.site.register(Group, RoleGroupAdmin)
