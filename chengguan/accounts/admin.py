"""Back office for users. 三员分立: the system admin edits people, the security admin their
roles; the audit admin reads. Role changes go through `user_set_roles` (rule + ledger)."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chengguan.accounts.models import User
from chengguan.accounts.predicates import is_security_admin, is_system_admin
from chengguan.accounts.roles import Role, check_role_combination
from chengguan.accounts.selectors import users_visible
from chengguan.accounts.services import user_set_roles
from chengguan.core.admin import LedgeredAdmin, ReadOnlyAdmin
from chengguan.core.errors import DomainError


class UserChangeForm(DjangoUserChangeForm):
    """Django's form (the password hash is read-only, changed only through the reset form)
    plus the 三员分立 check on roles."""

    class Meta(DjangoUserChangeForm.Meta):
        model = User
        fields = "__all__"

    def clean_groups(self):
        groups = self.cleaned_data.get("groups")
        if groups is not None:
            try:
                check_role_combination(
                    Role(g.name) for g in groups if g.name in Role._value2member_map_
                )
            except DomainError as error:
                raise forms.ValidationError(gettext(error.message) % error.params) from None
        return groups


@admin.register(User)
class UserAdmin(LedgeredAdmin, DjangoUserAdmin):
    form = UserChangeForm
    list_display = ("username", "full_name", "region", "agency", "is_active", "roles")
    list_filter = ("is_active", "groups")
    search_fields = ("username", "full_name")
    autocomplete_fields = ("region", "agency")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "phone", "email")}),
        (_("工作范围"), {"fields": ("region", "agency")}),
        (_("角色与状态"), {"fields": ("is_active", "groups")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("工作范围"), {"fields": ("full_name", "region", "agency")}),
    )
    filter_horizontal = ("groups",)

    @admin.display(description=_("角色"))
    def roles(self, obj):
        return "、".join(sorted(g.name for g in obj.groups.all()))

    def get_queryset(self, request):
        return (
            users_visible(request.user)
            .prefetch_related("groups")
            .select_related("region", "agency")
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = {"last_login", "date_joined"}
        if obj is None:
            return sorted(readonly)
        if not is_security_admin(request.user):
            readonly.add("groups")  # only the security admin grants roles
        if not is_system_admin(request.user):
            readonly.update({"username", "full_name", "phone", "email", "region", "agency"})
        return sorted(readonly)

    def save_related(self, request, form, formsets, change):
        if "groups" in form.changed_data:
            roles = [g.name for g in form.cleaned_data["groups"]]
            user_set_roles(user=form.instance, roles=roles, actor=request.user)
            form.cleaned_data.pop("groups")
            form.fields.pop("groups", None)
        super().save_related(request, form, formsets, change)


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(ReadOnlyAdmin):
    """Roles are fixed by the platform; the security admin sees who holds them."""

    list_display = ("name",)
