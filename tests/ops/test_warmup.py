"""A worker's heap is frozen again after its first requests (decision 0197)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from xuanren.common import warmup


def test_collect_then_freeze_after_the_first_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(warmup, "_served", itertools.count(1))
    monkeypatch.setattr(warmup.gc, "collect", lambda: calls.append("collect"))
    monkeypatch.setattr(warmup.gc, "freeze", lambda: calls.append("freeze"))
    seen = []
    for n in range(1, 1002):
        warmup.after_request()
        if calls:
            seen.append((n, tuple(calls)))
            calls.clear()
    assert seen == [(n, ("collect", "freeze")) for n in (1, 3, 10, 30, 100, 300, 1000)]


def test_the_application_counts_each_request_even_a_failed_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counted: list[int] = []
    monkeypatch.setattr(warmup, "after_request", lambda: counted.append(1))

    def ok(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        return [b"ok"]

    def fails(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise RuntimeError("boom")

    assert warmup.FreezingApplication(ok)({}, None) == [b"ok"]
    with pytest.raises(RuntimeError):
        warmup.FreezingApplication(fails)({}, None)
    assert counted == [1, 1]
