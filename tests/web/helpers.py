"""Small helpers for reading rendered pages."""

from __future__ import annotations

import html
import re
from typing import Any

_TAG = re.compile(r"<[^>]+>")


def page_text(response: Any) -> str:
    """The page's visible text: tags removed, entities decoded, spacing kept."""
    return html.unescape(_TAG.sub("", response.content.decode()))
