"""Accounts in Django admin, every change through the journalled services
(docs/decisions/0040).

The user pages keep Django's look, but their save paths call the services:
creating a user, changing names, active/staff/superuser flags, roles and the
password each go through xuanren.access.services and leave a journal event.
No user is deleted (deactivate instead), no permission is given to a user
directly (roles only). Roles (groups) and permissions are defined in code
(roles.py) and are read-only here. Login lockouts and second factors are
cleared by admin actions that call the services."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import Group, User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.access.models import AccessRecord, AccountPerson
from xuanren.access.names import display_name
from xuanren.access.services import (
    login_unlock,
    otp_reset,
    user_active_set,
    user_create,
    user_flags_set,
    user_password_set,
    user_person_set,
    user_profile_set,
    user_roles_set,
)
from xuanren.common.errors import DomainError, ValidationFailed


def _refused(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


class ServiceRefusalMixin:
    """Admin forms save through the services: a refusal (rolled back) is shown
    as a message on the same form instead of a 500."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )
        except DomainError as exc:
            _refused(request, exc)
            return HttpResponseRedirect(request.get_full_path())


class UserAddForm(UserCreationForm):
    first_name = forms.CharField(label=gettext_lazy("名"), required=False, max_length=150)
    last_name = forms.CharField(label=gettext_lazy("姓"), required=False, max_length=150)
    email = forms.EmailField(label=gettext_lazy("电子邮箱"), required=False)
    groups = forms.ModelMultipleChoiceField(
        label=gettext_lazy("角色"), queryset=Group.objects.order_by("name"), required=False
    )
    is_staff = forms.BooleanField(label=gettext_lazy("可进入系统管理"), required=False)
    is_superuser = forms.BooleanField(
        label=gettext_lazy("系统管理员（不受范围限制）"), required=False
    )

    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = ("username",)


class UserAdmin(ServiceRefusalMixin, DjangoUserAdmin):
    add_form = UserAddForm
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        (gettext_lazy("个人信息"), {"fields": ("last_name", "first_name", "email")}),
        (gettext_lazy("角色与权限"), {"fields": ("groups", "is_staff", "is_superuser")}),
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (gettext_lazy("个人信息"), {"fields": ("last_name", "first_name", "email")}),
        (
            gettext_lazy("角色与权限"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups")},
        ),
        (gettext_lazy("时间"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ("groups",)
    list_display = ("username", "real_name", "is_active", "is_staff", "is_superuser")
    actions = ["unlock_login", "reset_second_factor", "activate", "deactivate"]

    @admin.display(description=gettext_lazy("姓名"))
    def real_name(self, obj: Any) -> str:
        return display_name(obj) if (obj.first_name or obj.last_name) else ""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (*self.readonly_fields, "username") if obj is not None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # accounts are deactivated, never deleted

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = user_create(
                actor=request.user,
                username=data["username"],
                password=data["password1"],
                roles=[g.name for g in data.get("groups") or []],
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data.get("email", ""),
                is_staff=data.get("is_staff", False),
                is_superuser=data.get("is_superuser", False),
            )
            obj.pk = created.pk
            obj._state.adding = False
            obj._state.db = created._state.db
            return
        # The form already applied the values to `obj`; the stored row is the "before".
        user = User.objects.get(pk=obj.pk)
        user_profile_set(
            actor=request.user,
            user=user,
            first_name=data.get("first_name", user.first_name),
            last_name=data.get("last_name", user.last_name),
            email=data.get("email", user.email),
        )
        if "is_active" in data:
            user_active_set(actor=request.user, user=user, active=data["is_active"])
        if "is_staff" in data or "is_superuser" in data:
            user_flags_set(
                actor=request.user,
                user=user,
                is_staff=data.get("is_staff", user.is_staff),
                is_superuser=data.get("is_superuser", user.is_superuser),
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Never form.save_m2m(): roles through the service, no direct permissions.
        if change and "groups" in form.cleaned_data:
            user_roles_set(
                actor=request.user,
                user=form.instance,
                roles=[g.name for g in form.cleaned_data["groups"]],
            )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        if request.method == "POST":
            user = self.get_object(request, id)
            if user is not None and self.has_change_permission(request, user):
                form = self.change_password_form(user, request.POST)
                if form.is_valid():
                    if not form.cleaned_data.get("set_usable_password", True):
                        messages.error(
                            request, _("不能停用账号的密码登录；如需禁止登录，请停用该账号。")
                        )
                        return HttpResponseRedirect(request.get_full_path())
                    try:
                        user_password_set(
                            actor=request.user, user=user, password=form.cleaned_data["password1"]
                        )
                    except DomainError as exc:
                        _refused(request, exc)
                        return HttpResponseRedirect(request.get_full_path())
                    messages.success(request, _("密码已重置。"))
                    return HttpResponseRedirect(reverse("admin:auth_user_change", args=(user.pk,)))
        return super().user_change_password(request, id, form_url)

    def _each(self, request: HttpRequest, queryset: QuerySet[Any], run: Any, done: str) -> None:
        count = 0
        for user in queryset:
            try:
                run(user)
                count += 1
            except DomainError as exc:
                messages.error(request, f"{user.get_username()}：{exc.message}")
        if count:
            messages.success(request, done % {"n": count})

    @admin.action(description=gettext_lazy("解除所选用户的登录锁定"))
    def unlock_login(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(
            request,
            queryset,
            lambda u: login_unlock(actor=request.user, username=u.get_username()),
            _("已解除 %(n)d 个用户的登录锁定。"),
        )

    @admin.action(description=gettext_lazy("重置所选用户的双因素认证"))
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(
            request,
            queryset,
            lambda u: otp_reset(actor=request.user, user=u),
            _("已重置 %(n)d 个用户的双因素认证。"),
        )

    @admin.action(description=gettext_lazy("启用所选用户"))
    def activate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(
            request,
            queryset,
            lambda u: user_active_set(actor=request.user, user=u, active=True),
            _("已启用 %(n)d 个用户。"),
        )

    @admin.action(description=gettext_lazy("停用所选用户"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(
            request,
            queryset,
            lambda u: user_active_set(actor=request.user, user=u, active=False),
            _("已停用 %(n)d 个用户。"),
        )


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class GroupAdmin(ReadOnlyMixin, DjangoGroupAdmin):
    """Roles are defined in roles.py and synced after every migrate."""


class AccessAttemptAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("attempt_time", "username", "ip_address", "failures_since_start")
    search_fields = ("username", "ip_address")
    exclude = ("get_data", "post_data", "http_accept")
    actions = ["unlock"]

    @admin.action(description=gettext_lazy("解除所选记录的锁定（用户名和地址）"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        cleared = 0
        try:
            for attempt in list(queryset):
                cleared += login_unlock(
                    actor=request.user,
                    username=attempt.username or "",
                    address=attempt.ip_address or "",
                )
        except DomainError as exc:
            _refused(request, exc)
            return
        messages.success(request, _("已解除锁定（清除 %(n)d 条失败记录）。") % {"n": cleared})


class AccessRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("at", "username", "kind", "subject_label", "path", "address")
    list_filter = ("kind",)
    search_fields = ("username", "subject_label", "subject_id")
    date_hierarchy = "at"


class AccountPersonAdmin(ServiceRefusalMixin, admin.ModelAdmin):
    """Which cadre record an account belongs to; saved through user_person_set
    (journalled). Never deleted: clear the cadre instead."""

    list_display = ("user", "person_name", "cadre")
    raw_id_fields = ("user", "cadre")
    list_select_related = ("user", "cadre")
    search_fields = ("user__username", "user__last_name", "user__first_name", "cadre__name")

    @admin.display(description=gettext_lazy("姓名"))
    def person_name(self, obj: AccountPerson) -> str:
        return display_name(obj.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("user",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: AccountPerson, form: Any, change: bool) -> None:
        if obj.cadre is None and not change:
            raise ValidationFailed(_("请选择该账号对应的干部。"))
        user_person_set(actor=request.user, user=obj.user, cadre=obj.cadre)
        saved = AccountPerson.objects.get(user=obj.user)
        obj.pk, obj._state.adding, obj._state.db = saved.pk, False, saved._state.db


def _replace(model: Any, model_admin: Any) -> None:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)


_replace(User, UserAdmin)
_replace(Group, GroupAdmin)
_replace(AccessAttempt, AccessAttemptAdmin)
_replace(AccessRecord, AccessRecordAdmin)
_replace(AccountPerson, AccountPersonAdmin)


def _unregister_second_factor_admin() -> None:
    """django-otp's device pages could add, change or delete a device (and
    show its secret) outside the services; resets go through the user action."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if admin.site.is_registered(TOTPDevice):
        admin.site.unregister(TOTPDevice)


_unregister_second_factor_admin()
