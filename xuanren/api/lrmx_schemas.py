"""Schemas of the LRMX endpoints: an import batch and its per-file rows."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class LrmxErrorOut(Schema):
    element: str
    message: str


class LrmxChangeOut(Schema):
    field: str
    label: str
    old: str
    new: str


class LrmxFileOut(Schema):
    name: str
    sha256: str
    action: str  # create / update / unchanged / error
    errors: list[LrmxErrorOut]
    warnings: list[str]
    cadre: int | None
    cadre_name: str
    unit: str
    changes: list[LrmxChangeOut]
    records: list[str]
    saved: bool | None = None


class LrmxBatchOut(Schema):
    id: int
    status: str
    upload_name: str
    upload_sha256: str
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    target_unit: int | None
    files: list[LrmxFileOut]


class LrmxConfirmIn(Schema):
    unit: int | None = None
