"""Loading rule packs from their TOML files into the database, and choosing
the rules in force for a post on a date."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from xuanren.policy.rules import Rule, RuleDataError, rule_from_data

PACK_DIR = Path(__file__).resolve().parent / "packs"


def read_pack_file(path: Path) -> dict[str, Any]:
    """Parse and check one pack file; RuleDataError names what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RuleDataError(f"规则包文件 {path.name} 不是有效的 TOML：{exc}") from exc
    for key in ("code", "version", "name", "source", "effective_from", "rules"):
        if key not in data:
            raise RuleDataError(f"规则包文件 {path.name} 缺少 {key}")
    if not isinstance(data["effective_from"], dt.date):
        raise RuleDataError(f"规则包文件 {path.name}：effective_from 应为日期")
    rules_of(data)  # every rule must parse
    return data


def rules_of(data: dict[str, Any]) -> list[Rule]:
    seen: set[str] = set()
    rules = []
    for raw in data["rules"]:
        rule = rule_from_data(raw, pack=data["code"], default_source=data["source"])
        if rule.id in seen:
            raise RuleDataError(f"规则包 {data['code']}：规则 id {rule.id} 重复")
        seen.add(rule.id)
        rules.append(rule)
    return rules


def pack_digest(rules: list[dict[str, Any]]) -> str:
    canonical = json.dumps(rules, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def shipped_pack_files() -> list[Path]:
    return sorted(PACK_DIR.glob("*.toml"))


def packs_in_force(packs: Iterable[Any], ref: dt.date) -> dict[str, Any]:
    """For each code, the highest version whose effective period covers `ref`."""
    chosen: dict[str, Any] = {}
    for pack in packs:
        if pack.effective_from > ref or (pack.effective_to and pack.effective_to < ref):
            continue
        best = chosen.get(pack.code)
        if best is None or pack.version > best.version:
            chosen[pack.code] = pack
    return chosen
