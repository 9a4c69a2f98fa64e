"""Account pages: the second factor (set up, verify), the password change,
and the access record search. Thin: the services check and journal."""

from __future__ import annotations

from typing import Any

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from xuanren.access.forms import AccessRecordSearchForm, CodeForm
from xuanren.access.middleware import SECOND_FACTOR_KEY
from xuanren.access.records import access_record_search
from xuanren.access.services import (
    otp_enroll_begin,
    otp_enroll_confirm,
    otp_enrolled,
    otp_pending_device,
    otp_reset,
    second_factor_required,
    user_password_set,
)
from xuanren.access.services import (
    otp_verify as otp_device_for,
)
from xuanren.common.errors import DomainError
from xuanren.web.pages import SAFE, login_page

RECORDS_PER_PAGE = 50


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("web:dashboard")


def _verified(request: HttpRequest, device: Any) -> None:
    django_otp.login(request, device)
    request.session.pop(SECOND_FACTOR_KEY, None)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """双因素认证: start, confirm with a code, or remove."""
    user = request.user
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = CodeForm(request.POST if action == "confirm" else None)
    status = 200
    try:
        if action == "begin":
            otp_enroll_begin(actor=user)
            return redirect("access:otp_setup")
        if action == "confirm" and form.is_valid():
            device = otp_enroll_confirm(actor=user, token=form.cleaned_data["otp_token"])
            _verified(request, device)
            messages.success(request, _("双因素认证已启用。今后登录时，输入密码后还需输入验证码。"))
            return redirect(_next_url(request))
        if action == "remove":
            otp_reset(actor=user, user=user)
            messages.success(request, _("已移除认证器，登录时不再需要验证码。"))
            return redirect("access:otp_setup")
        if action:
            status = 422
    except DomainError as exc:
        form.add_error(None, exc.message)
        status = 403 if exc.http_status == 403 else 422
    pending = otp_pending_device(actor=user)
    context = {
        "form": form,
        "enrolled": otp_enrolled(user),
        "pending": pending,
        "secret": _b32(pending.bin_key) if pending is not None else "",
        "required": second_factor_required(user),
        "next": request.GET.get("next", ""),
    }
    return render(request, "access/otp_setup.html", context, status=status)


def _b32(key: bytes) -> str:
    import base64

    text = base64.b32encode(key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def otp_qr(request: HttpRequest) -> HttpResponse:
    """The QR code of the authenticator being set up (an SVG, no inline data)."""
    device = otp_pending_device(actor=request.user)
    if device is None:
        return HttpResponse(status=404)
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5)
    return HttpResponse(svg, content_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """After the password: the code from the user's authenticator."""
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            device = otp_device_for(user=request.user, token=form.cleaned_data["otp_token"])
            if device is not None:
                _verified(request, device)
                return redirect(_next_url(request))
            form.add_error(
                "otp_token",
                _("验证码不正确或已过期，请输入认证器上当前显示的数字；多次输错需稍等再试。"),
            )
    context = {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    return render(request, "access/otp_verify.html", context, status=status)


class PasswordChange(PasswordChangeView):
    """Django's form (checks the current password), saved through the
    journalled service."""

    template_name = "web/password_change_form.html"
    success_url = reverse_lazy("web:password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            user_password_set(
                actor=self.request.user,
                user=self.request.user,
                password=form.cleaned_data["new_password1"],
                old_password=form.cleaned_data["old_password"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        user = form.user
        user.refresh_from_db()
        update_session_auth_hash(self.request, user)
        return redirect(self.get_success_url())


@login_page(methods=SAFE)
def access_records(request: HttpRequest) -> HttpResponse:
    """查阅记录: who looked at which person's data, for the discipline
    commission and administrators."""
    form = AccessRecordSearchForm(request.GET or None)
    records = access_record_search(actor=request.user, filters=form.filters())
    page_obj = Paginator(records, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "access/records.html", {"form": form, "page_obj": page_obj})


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """Too many failed logins (axes): a Chinese page, 429, saying how long."""
    from django.conf import settings

    minutes = round(float(settings.AXES_COOLOFF_TIME or 0) * 60)
    return render(
        request,
        "access/lockout.html",
        {
            "minutes": minutes,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "address_limit": settings.XUANREN_LOGIN_ADDRESS_FAILURE_LIMIT,
            "address": getattr(request, "xr_address_locked", False),
        },
        status=429,
    )
