"""The access record (查阅记录, docs/decisions/0041): writing one line per look
at sensitive personal data, and searching them.

Written cheaply: one INSERT with what the caller already holds (the actor,
the subject and its label), the request's path and address from the context
(context.py); never a SELECT on the read path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.functions import Concat
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.context import current_request
from xuanren.access.models import AccessKind, AccessRecord
from xuanren.access.policy import has_perm, is_unrestricted, require_perm, scope_root

LABEL_MAX = 200
VIEW_PERM = "access.view_accessrecord"


def _subject(subject: models.Model | tuple[str, str]) -> tuple[str, str]:
    if isinstance(subject, tuple):
        return subject
    return subject._meta.label_lower, str(subject.pk)


def access_record(
    *,
    actor: Any,
    kind: AccessKind,
    subject: models.Model | tuple[str, str],
    label: str,
    detail: dict[str, Any] | None = None,
) -> AccessRecord | None:
    """One line: `actor` looked at `subject` (frozen `label`). Anonymous
    callers (the public pages) see no such data and are not recorded."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    subject_type, subject_id = _subject(subject)
    where = current_request()
    return AccessRecord.objects.create(
        at=timezone.now(),
        user_id=actor.pk,
        username=actor.get_username(),
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_label=str(label)[:LABEL_MAX],
        detail=detail or {},
        path=where.path,
        address=where.address,
    )


@dataclass(frozen=True)
class AccessRecordFilters:
    person: str = ""  # part of the viewed subject's label (a name)
    viewer: str = ""  # part of the viewer's username
    kind: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    subject_type: str = ""
    subject_id: str = ""


def may_search_access_records(actor: Any) -> bool:
    """The discipline commission and administrators (permission), with a scope."""
    return has_perm(actor, VIEW_PERM) and (is_unrestricted(actor) or scope_root(actor) is not None)


def access_record_search(*, actor: Any, filters: AccessRecordFilters) -> QuerySet[AccessRecord]:
    """Newest first. Holders of access.view_accessrecord see every user's
    looks (oversight of all accounts, not of a unit); a holder without a scope
    sees nothing, like everywhere else (docs/decisions/0002)."""
    require_perm(actor, VIEW_PERM)
    records = AccessRecord.objects.select_related("user")
    if not may_search_access_records(actor):
        return records.none()
    f = filters
    if f.person:
        records = records.filter(subject_label__icontains=f.person.strip())
    if f.viewer:
        # by login name or by real name (姓名, surname first: decision 0057)
        viewer = f.viewer.strip()
        records = records.annotate(
            viewer_name=Concat("user__last_name", "user__first_name")
        ).filter(Q(username__icontains=viewer) | Q(viewer_name__icontains=viewer))
    if f.kind:
        records = records.filter(kind=f.kind)
    if f.subject_type and f.subject_id:
        records = records.filter(subject_type=f.subject_type, subject_id=f.subject_id)
    tz = timezone.get_current_timezone()
    if f.date_from:
        start = dt.datetime.combine(f.date_from, dt.time.min, tzinfo=tz)
        records = records.filter(at__gte=start)
    if f.date_to:
        end = dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        records = records.filter(at__lt=end)
    return records.order_by("-at", "-id")


def cadre_look_record(*, actor: Any, cadre: Any, full_id_number: bool) -> None:
    """A cadre's detail (family, and the ID number in full or masked) was shown."""
    access_record(
        actor=actor,
        kind=AccessKind.CADRE,
        subject=cadre,
        label=cadre.name,
        detail={"id_number": "full" if full_id_number else "masked"},
    )


def report_look_record(*, actor: Any, report: Any) -> None:
    """A report was shown: on the record when it names its reporter, labelled
    by the report (never by the reporter's name)."""
    if report.anonymous:
        return
    access_record(
        actor=actor,
        kind=AccessKind.REPORT,
        subject=report,
        label=_("举报第 %(n)s 号（反映%(about)s）") % {"n": report.pk, "about": report.about_name},
        detail={"reporter": "named"},
    )


class LookRecordedAdmin:
    """Mixin for a ModelAdmin whose change page shows sensitive data: each
    page shown is one access-record row, written by `record_look`."""

    def record_look(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(  # type: ignore[misc]
            request, object_id, form_url, extra_context
        )
        obj = getattr(response, "context_data", {}).get("original")
        if response.status_code == 200 and obj is not None:
            self.record_look(request, obj)
        return response
