"""Which body a document is issued by, as its procedure template says
(docs/decisions/0058).

A template's `[parameters]` name the issuer of each document kind, e.g.
`notice_issuer = "organization_department"`: a 任前公示 of county-managed
cadres is issued by the county's organization department (中共××县委组织部),
a 股级 notice by the unit's party committee that decided. Values:

- "organization_department": the organization department of the deciding
  body's region (a party organ under it whose name ends in 组织部; failing
  that, "中共<region>委组织部"). For a body that is not a region's (a unit's
  party committee), the body itself.
- "committee": the deciding body (the case's committee).

A template without the parameter issues in the committee's name, as before;
the approval form's 呈报单位 (`approval_form_submitter`) is then left blank.
"""

from __future__ import annotations

from typing import Any

from xuanren.org.models import Unit, UnitKind

ORGANIZATION_DEPARTMENT = "organization_department"
COMMITTEE = "committee"
ISSUERS = frozenset({ORGANIZATION_DEPARTMENT, COMMITTEE})

#: Document kinds and the template parameter that names their issuer.
ISSUER_PARAMETERS = {
    "notice": "notice_issuer",  # who signs the 任前公示
    "approval_form": "approval_form_submitter",  # 任免审批表's 呈报单位
}


#: Without the parameter: a notice is signed by the committee; the approval
#: form's 呈报单位 is left for the officer to fill.
DEFAULTS = {"notice": COMMITTEE, "approval_form": ""}


def organization_department_name(region: Unit) -> str:
    department = (
        Unit.objects.filter(
            parent=region,
            kind=UnitKind.PARTY_ORGAN,
            is_active=True,
            name__endswith="组织部",
        )
        .order_by("sort_order", "path")
        .first()
    )
    if department is not None:
        return department.name
    return f"中共{region.name}委组织部"


def issuing_body(case: Any, document: str = "notice") -> str:
    """The name a document of `case` is signed with."""
    parameters = case.template.parameters or {}
    choice = parameters.get(ISSUER_PARAMETERS[document], DEFAULTS[document])
    if not choice:
        return ""
    committee = case.committee
    if choice == ORGANIZATION_DEPARTMENT and committee.unit.kind == UnitKind.REGION:
        return organization_department_name(committee.unit)
    return str(committee.name)
