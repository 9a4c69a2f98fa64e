"""The rotation alert rules as data (rules.toml, docs/decisions/0175): each
with its kind, threshold, scope (the levels, principal posts only, the
sensitive-post keywords) and source. Pure: no ORM."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PACK = Path(__file__).with_name("rules.toml")
#: How long before a threshold is reached the alert shows as approaching.
DEFAULT_WINDOW_MONTHS = 6


class AlertKind(models.TextChoices):
    POST_YEARS = "post_years", _("同一职位任职年限")
    POST_TERMS = "post_terms", _("同一职位连续任期")
    LEVEL_YEARS = "level_years", _("同一层次任职年限")


class AlertStage(models.TextChoices):
    APPROACHING = "approaching", _("临近")
    REACHED = "reached", _("已达到")


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    title: str
    consequence: str
    months: int
    levels: frozenset[str]
    source: str
    principal_only: bool = False
    keywords: tuple[str, ...] = ()
    terms: int = 0

    @property
    def kind_label(self) -> str:
        return str(AlertKind(self.kind).label)


@dataclass(frozen=True)
class Pack:
    code: str
    version: int
    name: str
    term_months: int
    term_source: str
    rules: tuple[Rule, ...]

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


def parse(text: str) -> Pack:
    data = tomllib.loads(text)
    term_months = int(data["term_months"])
    rules = []
    for r in data["rules"]:
        kind = AlertKind(r["kind"]).value
        terms = int(r.get("terms", 0))
        months = terms * term_months if kind == AlertKind.POST_TERMS else int(r["months"])
        if months <= 0 or not r.get("source"):
            raise ValueError(f"rotation rule {r['id']}: a threshold and a source are needed")
        rules.append(
            Rule(
                id=r["id"],
                kind=kind,
                title=r["title"],
                consequence=r["consequence"],
                months=months,
                levels=frozenset(r["levels"]),
                source=r["source"],
                principal_only=bool(r.get("principal_only", False)),
                keywords=tuple(r.get("keywords", ())),
                terms=terms,
            )
        )
    return Pack(
        code=data["code"],
        version=int(data["version"]),
        name=data["name"],
        term_months=term_months,
        term_source=data["term_source"],
        rules=tuple(rules),
    )


@cache
def pack() -> Pack:
    return parse(PACK.read_text(encoding="utf-8"))


def window_months() -> int:
    return int(getattr(settings, "XUANREN_ROTATION_WINDOW_MONTHS", DEFAULT_WINDOW_MONTHS))


def sensitive(rule: Rule, post_title: str, unit_name: str) -> bool:
    """Whether a post is in the rule's sensitive posts (always, without keywords)."""
    return not rule.keywords or any(k in post_title or k in unit_name for k in rule.keywords)
