"""职位公告 (publication): the announcement of the posts, their requirements and
the method, where and when it was published."""

from __future__ import annotations

from typing import Literal

from xuanren.procedure.steps.base import N_, Day, StepData, choice, field

CHANNELS = {
    "notice_board": N_("单位公示栏"),
    "website": N_("政府门户网站"),
    "intranet": N_("内部办公系统"),
    "meeting": N_("干部大会通报"),
    "wechat": N_("微信公众号"),
}

Channel = Literal["notice_board", "website", "intranet", "meeting", "wechat"]


class PublicationData(StepData):
    """职位公告：公告正文、发布渠道和发布日期。"""

    text: str = field(N_("公告正文"), min_length=1, max_length=20000)
    channels: list[Channel] = choice(N_("发布渠道"), CHANNELS, min_length=1, max_length=5)
    date: Day = field(N_("发布日期"))


Data = PublicationData

GUARDS = ()
EFFECTS = ()
