"""The pinyin of a unit's name, for the unit picker (docs/decisions/0117):
its initials (云岭县 → ylx) and its full pinyin (yunlingxian), as the cadre
search has a name's initials. Pure: no database."""

from __future__ import annotations

import re

INITIALS_MAX = 100
PINYIN_MAX = 255

_NOT_LETTERS = re.compile(r"[^a-z]")
_SEPARATORS = re.compile(r"[\s'’·-]")


def unit_pinyin(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of `name`, lower case, letters only (other
    characters dropped; ü written v, as typed on a keyboard)."""
    # Imported here, not at start-up: its phrase dictionary costs about a
    # second of CPU, which every `xuanren` process paid (the admin imports
    # this module) whether or not it names a unit (docs/decisions/0142).
    from pypinyin import Style, lazy_pinyin

    # One segmentation (the costly part): a syllable's first letter is its initial.
    syllables = [_NOT_LETTERS.sub("", s.lower()) for s in lazy_pinyin(name, style=Style.NORMAL)]
    syllables = [s for s in syllables if s]
    return (
        "".join(s[0] for s in syllables)[:INITIALS_MAX],
        "".join(syllables)[:PINYIN_MAX],
    )


def pinyin_query(q: str) -> str:
    """What the user typed, as pinyin to match ("Yun Ling", "yun'ling" →
    "yunling"); empty when it is not pinyin (Chinese, digits, a code)."""
    text = _SEPARATORS.sub("", q.strip().lower())
    return text if text and text.isascii() and text.isalpha() else ""
