"""Building valid citizen ID numbers (for generated data and tests)."""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric


def build_id_number(region: str, birth: dt.date, order: int, sex: str) -> str:
    """18 digits: region (6), birth YYYYMMDD, order (3; odd for men, even for
    women, adjusted here), check digit."""
    if len(region) != 6 or not region.isdigit():
        raise ValueError(region)
    order = order % 1000
    wants_odd = sex == "male"
    if (order % 2 == 1) != wants_odd:
        order = (order + 1) % 1000
    body = f"{region}{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")
