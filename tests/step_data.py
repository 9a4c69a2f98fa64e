"""Minimal data each simple step's contract accepts (xuanren/procedure/steps),
for tests that carry a case past these steps."""

from __future__ import annotations

import datetime as dt
from typing import Any

MOTION: dict[str, Any] = {"reason": "vacancy", "proposer": "县委组织部"}


def publication(
    on: dt.date | None = None, text: str = "职位、资格条件和方法程序公告"
) -> dict[str, Any]:
    return {
        "text": text,
        "channels": ["notice_board"],
        "date": (on or dt.date(2026, 11, 1)).isoformat(),
    }


def registration(on: dt.date | None = None) -> dict[str, Any]:
    return {"closed_on": (on or dt.date(2026, 11, 1)).isoformat()}


def inspection_notice(on: dt.date | None = None) -> dict[str, Any]:
    return {"text": "考察预告", "published_on": (on or dt.date(2026, 11, 1)).isoformat()}


#: An ASCII identifier as a stored key or code looks: result_sheet, passed.
IDENTIFIER = r"\b[a-z]+(?:_[a-z0-9]+)+\b"
#: Codes of stored values that once showed on pages.
CODES = (
    "passed", "failed", "approved", "rejected", "deferred", "quorum", "tenure", "outcome",
    "competent", "vacancy", "meeting", "talk", "signed", "status", "result", "candidate",
    "cadre", "members", "present", "recused", "appointed", "method", "paper", "electronic",
)  # fmt: skip
