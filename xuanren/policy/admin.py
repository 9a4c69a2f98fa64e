"""Administrators see rule packs and load new versions by uploading a TOML
file (the same service as `xuanren packs load`); a loaded version is never
edited in place, so past decisions stay checkable against the rules of their day."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanren.common.errors import DomainError
from xuanren.policy.models import PostRulePacks, PromotionException, RulePack
from xuanren.policy.services import rule_pack_upload


class PackUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("规则包文件（TOML）"))


@admin.register(RulePack)
class RulePackAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "name", "effective_from", "effective_to", "loaded_at")
    readonly_fields = [f.name for f in RulePack._meta.fields]
    change_list_template = "admin/policy/rulepack/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        return [
            path("upload/", self.admin_site.admin_view(self.upload), name="policy_rulepack_upload"),
            *super().get_urls(),
        ]

    def upload(self, request: HttpRequest) -> HttpResponse:
        form = PackUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                # The service checks the permission and the size before reading.
                pack = rule_pack_upload(actor=request.user, name=upload.name or "", upload=upload)
            except DomainError as exc:
                form.add_error("file", str(exc))
            else:
                text = _("已载入 %(p)s。") % {"p": pack} if pack else _("该版本已载入，未作改动。")
                messages.success(request, text)
                return HttpResponseRedirect(reverse("admin:policy_rulepack_changelist"))
        context = {**self.admin_site.each_context(request), "form": form, "title": _("载入规则包")}
        return TemplateResponse(request, "admin/policy/rulepack/upload.html", context)


@admin.register(PostRulePacks)
class PostRulePacksAdmin(admin.ModelAdmin):
    list_display = ("post", "pack_codes")
    readonly_fields = ("post", "pack_codes")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PromotionException)
class PromotionExceptionAdmin(admin.ModelAdmin):
    list_display = ("cadre", "post", "reason", "status", "requested_at", "decided_on")
    list_filter = ("status", "reason")
    readonly_fields = [f.name for f in PromotionException._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
