"""The English catalog: complete, consistent with its placeholders, compiled, and
used by the pages when the language cookie asks for English. The .po is read
with a small parser here (no polib, no GNU gettext in CI)."""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.conftest import Personas
from xuanren.common.errors import ErrorCollector
from xuanren.org.models import Level
from xuanren.people.models import Sex
from xuanren.people.validation import CadreFacts, check_id_number, validate_cadre

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "xuanren"
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


@pytest.fixture(autouse=True)
def restore_language() -> Iterator[None]:
    """Requests with the English cookie leave English active in this thread
    (LocaleMiddleware activates and never deactivates): put back the language
    the test started with, so later tests still see Chinese messages."""
    with translation.override(translation.get_language()):
        yield


# ---- a minimal PO reader ------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a singular entry
    flags: set[str] = field(default_factory=set)
    refs: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and not self.obsolete


def _unquote(text: str) -> str:
    value = ast.literal_eval(text.strip())
    assert isinstance(value, str)
    return value


def read_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    entry = Entry()
    started = False
    target: tuple[str, int] = ("msgid", 0)

    def finish() -> None:
        nonlocal entry, started
        if started:
            entries.append(entry)
        entry, started = Entry(), False

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            finish()
            continue
        started = True
        if line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            entry.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
        elif line.startswith("#:"):
            entry.refs += line[2:].split()
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            entry.msgctxt = _unquote(line[len("msgctxt ") :])
            target = ("msgctxt", 0)
        elif line.startswith("msgid_plural "):
            entry.msgid_plural = _unquote(line[len("msgid_plural ") :])
            target = ("msgid_plural", 0)
        elif line.startswith("msgid "):
            entry.msgid = _unquote(line[len("msgid ") :])
            target = ("msgid", 0)
        elif line.startswith("msgstr["):
            index = int(line[len("msgstr[") : line.index("]")])
            entry.msgstr[index] = _unquote(line[line.index("]") + 1 :])
            target = ("msgstr", index)
        elif line.startswith("msgstr "):
            entry.msgstr[0] = _unquote(line[len("msgstr ") :])
            target = ("msgstr", 0)
        elif line.startswith('"'):
            part = _unquote(line)
            kind, index = target
            if kind == "msgstr":
                entry.msgstr[index] += part
            elif kind == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + part
            elif kind == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + part
            else:
                entry.msgid += part
        else:
            raise AssertionError(f"unexpected line in {path.name}: {line!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return [e for e in read_po(PO) if not e.obsolete and not e.is_header]


# ---- the catalog -------------------------------------------------------------

#: %(name)s, %(n)d, %(s).1f, bare %s / %d, and {name} of brace formats.
PERCENT = re.compile(r"%(?:\((\w+)\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
BRACE = re.compile(r"(?<!\{)\{(\w*)(?:[:!][^{}]*)?\}(?!\})")


def placeholders(text: str, flags: set[str]) -> list[str]:
    found = [m.group(0) for m in PERCENT.finditer(text)]
    if "python-brace-format" in flags:
        found += [m.group(0) for m in BRACE.finditer(text)]
    return sorted(found)


def test_the_catalog_is_the_english_one_with_plural_rules() -> None:
    header = next(e for e in read_po(PO) if e.is_header)
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]


def test_the_catalog_has_many_entries(entries: list[Entry]) -> None:
    assert len(entries) > 500
    assert len({(e.msgctxt, e.msgid, e.msgid_plural) for e in entries}) == len(entries)


def test_no_entry_is_untranslated_or_fuzzy(entries: list[Entry]) -> None:
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    untranslated = []
    for e in entries:
        expected = [0, 1] if e.msgid_plural is not None else [0]
        if sorted(e.msgstr) != expected or not all(e.msgstr[i].strip() for i in expected):
            untranslated.append(e.msgid)
    assert not untranslated, f"untranslated entries: {untranslated}"


def test_translations_are_english(entries: list[Entry]) -> None:
    """No msgstr is left in Chinese, except quoted proper names (in 《》 or “”)
    and glosses in parentheses, which an English text may keep."""
    han = re.compile(r"[\u3400-\u9fff]")
    kept = re.compile(r"《[^》]*》|“[^”]*”|\([^)]*\)")
    chinese = [
        (e.msgid, s)
        for e in entries
        for s in e.msgstr.values()
        if han.search(kept.sub("", s)) and e.msgid != "—"
    ]
    assert not chinese, f"msgstrs still in Chinese: {chinese}"


def test_every_placeholder_of_a_msgid_is_in_its_msgstr(entries: list[Entry]) -> None:
    wrong = []
    for e in entries:
        pairs = [(e.msgid, e.msgstr.get(0, ""))]
        if e.msgid_plural is not None:
            pairs.append((e.msgid_plural, e.msgstr.get(1, "")))
        for source, target in pairs:
            if placeholders(source, e.flags) != placeholders(target, e.flags):
                wrong.append((source, target))
    assert not wrong, f"placeholders differ: {wrong}"


def test_every_python_format_msgstr_formats(entries: list[Entry]) -> None:
    """Formatting each msgstr with dummy values raises nothing (no stray %)."""
    for e in entries:
        if "python-format" not in e.flags:
            continue
        names = set(re.findall(r"%\((\w+)\)", e.msgid + (e.msgid_plural or "")))
        values: dict[str, Any] = dict.fromkeys(names, 1)
        for text in e.msgstr.values():
            assert isinstance(text % values, str), e.msgid


def test_the_compiled_catalog_matches_the_po(entries: list[Entry]) -> None:
    """The committed .mo is the compiled .po (run compilemessages after editing)."""
    with MO.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    catalog: dict[Any, str] = compiled._catalog  # type: ignore[attr-defined]
    stale = []
    for e in entries:
        # A context is stored in the .mo as "context\x04msgid".
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            if catalog.get(key) != e.msgstr[0]:
                stale.append(e.msgid)
        elif [catalog.get((e.msgid, i)) for i in (0, 1)] != [e.msgstr[0], e.msgstr[1]]:
            stale.append(e.msgid)
    assert not stale, f"django.mo is out of date for: {stale}"


# ---- every literal msgid of the code has an entry ------------------------------

GETTEXT_CALLS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
}
TRANSLATE_TAG = re.compile(r"""\{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')""")


def python_msgids(path: Path) -> set[str]:
    msgids: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in GETTEXT_CALLS or name.startswith("pgettext"):
            continue
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            msgids.add(first.value)
    return msgids


def source_msgids() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for msgid in python_msgids(path):
            found.setdefault(msgid, str(path.relative_to(ROOT)))
    for path in sorted(PACKAGE.rglob("templates/**/*.html")):
        for match in TRANSLATE_TAG.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(1) or match.group(2), str(path.relative_to(ROOT)))
    return found


def test_every_literal_msgid_in_the_code_is_in_the_catalog(entries: list[Entry]) -> None:
    """A string wrapped for translation after the last makemessages fails here:
    run `uv run xuanren makemessages -l en --ignore=.venv --ignore=tests
    --ignore=bench`, translate, then compilemessages."""
    known = {e.msgid for e in entries}
    missing = {m: where for m, where in source_msgids().items() if m and m not in known}
    assert not missing, f"not in the English catalog: {missing}"


# ---- translations in use -----------------------------------------------------


def test_choice_labels_translate() -> None:
    with translation.override("en"):
        assert str(Sex.MALE.label) == "Male"
        assert str(Sex.FEMALE.label) == "Female"
        assert str(Level.SECTION_PRINCIPAL.label) == "Section principal"
        assert str(Level.DIVISION_DEPUTY.label) == "Division deputy"
        assert dict(Level.choices)[Level.SUBSECTION_DEPUTY] == "Subsection deputy"
    with translation.override("zh-hans"):
        assert str(Sex.MALE.label) == "男"
        assert str(Level.SECTION_PRINCIPAL.label) == "正科级"


def _id_errors(raw: str) -> list[str]:
    out = ErrorCollector()
    check_id_number(raw, birth_date=None, sex=None, out=out)
    return [str(e.message) for e in out.errors]


def test_validation_messages_translate_with_their_values() -> None:
    with translation.override("en"):
        assert _id_errors("3304211985") == [
            "A citizen ID number must have 18 characters; this one has 10."
        ]
        facts = CadreFacts(
            name="",
            sex="",
            birth_date=None,
            id_number="",
            political_status="masses",
        )
        messages = [str(e.message) for e in validate_cadre(facts, today=dt.date(2026, 1, 1)).errors]
        assert "Please enter the name." in messages
        assert "Please choose the sex." in messages
    with translation.override("zh-hans"):
        assert _id_errors("3304211985") == ["公民身份号码应为 18 位，现为 10 位。"]


# ---- pages -------------------------------------------------------------------


def test_dashboard_is_english_with_the_language_cookie(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.case_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="en">' in body
    for text in ("Overview", "Cadre records", "Eligibility screening", "Log out"):
        assert text in body
    assert "工作概况" not in body
    assert "干部信息" not in body


def test_dashboard_is_chinese_by_default(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.case_officer)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    for text in ("工作概况", "干部信息", "智能选人", "退出"):
        assert text in body
    assert "Overview" not in body
    assert "Eligibility screening" not in body


def test_set_language_switches_the_dashboard_to_english(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.case_officer)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Overview" in client.get("/").content.decode()


def test_one_chinese_word_with_two_meanings_translates_by_context() -> None:
    from xuanren.people.models import Tenure, TenureMethod

    with translation.override("en"):
        assert str(TenureMethod.ELECTED.label) == "Elected"
        assert str(Tenure._meta.verbose_name) == "Tenure"
        assert translation.pgettext("pager", "首页") == "First"
        assert translation.gettext("首页") != "First"


def test_an_english_browser_still_gets_chinese_until_the_user_switches(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.case_officer)
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in body and "工作概况" in body
    assert 'value="en"' in body  # the switcher offers English
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in body and 'value="zh-hans"' in body


def test_every_date_picker_is_the_shared_iso_widget() -> None:
    """`<input type=date>` shows nothing for a date in the locale's format
    (2026/12/06): every form builds its date pickers with
    `common.widgets.date_input`, which writes ISO dates."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "xuanren"
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "DateInput(" in p.read_text(encoding="utf-8") and p.name != "widgets.py"
    ]
    assert offenders == []
