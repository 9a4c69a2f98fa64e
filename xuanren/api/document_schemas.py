"""Query parameters of the documents endpoints."""

import datetime as dt

from ninja import Schema

from xuanren.documents.approval_form import FormContext


class ApprovalFormIn(Schema):
    """干部任免审批表的可选内容：不填则按干部信息生成；指定选任事项时，拟任职务和计算年龄时间取自该事项。"""

    case: int | None = None
    proposed_post: str = ""
    removed_post: str = ""
    reasons: str = ""
    submitting_unit: str = ""
    reference_date: dt.date | None = None

    def context(self) -> FormContext:
        return FormContext(
            proposed_post=self.proposed_post,
            removed_post=self.removed_post,
            reasons=self.reasons,
            submitting_unit=self.submitting_unit,
            reference_date=self.reference_date,
            case_id=self.case,
        )
