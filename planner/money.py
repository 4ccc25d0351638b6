"""Money and the business-case settings: how figures are shown to people, and which framings exist.

The bottom layer (no planner imports but `limits`): the domain checks its business settings here,
and every report (CLI, workbook, dashboard, HTML) formats money through `money`.
"""

from __future__ import annotations

import math
import re

# How today's hardware is treated in the business case (setting `baseline_hardware`).
HARDWARE_FRAMINGS: dict[str, str] = {
    "owned": "keep today's servers (already paid for)",
    "refresh": "replace today's servers now, like for like",
    "end_of_life": "replace today's servers at the end of their life",
}
CURRENCY = re.compile(r"^[A-Z]{3}$|^[^\w\s]{1,3}$")  # an ISO 4217 code (USD, EUR, CHF) or a symbol ($, €, £)


def money(value: float | None, currency: str = "", *, signed: bool = False) -> str:
    """A sum as people read it: '1,234,567 USD' (no cents: planning figures are not that precise)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    text = f"{value:+,.0f}" if signed else f"{value:,.0f}"
    if text in ("-0", "+0", "+-0"):
        text = "0"
    if not currency:
        return text
    return f"{currency}{text}" if not currency.isalpha() else f"{text} {currency}"


def excel_money_format(currency: str) -> str:
    """The spreadsheet number format of a sum in `currency`: thousands separators and the currency."""
    if not currency:
        return "#,##0"
    return f'"{currency}"#,##0' if not currency.isalpha() else f'#,##0" {currency}"'


def end_of_life_year(age_years: float, life_years: float) -> int:
    """The horizon year in which today's servers, `age_years` old, reach `life_years` and are replaced (0: now)."""
    left = life_years - age_years
    return 0 if left <= 0 else math.floor(left) + 1


def business_settings_problem(settings: object) -> str:
    """The first impossible business-case setting, in one sentence; '' when all are possible."""
    currency = getattr(settings, "currency", "")
    if not isinstance(currency, str) or not CURRENCY.match(currency):
        return f"setting currency must be a three-letter code such as USD, EUR or CHF (or a symbol such as $), got {currency!r}"
    framing = getattr(settings, "baseline_hardware", "")
    if framing not in HARDWARE_FRAMINGS:
        return f"setting baseline_hardware must be one of {', '.join(HARDWARE_FRAMINGS)}, got {framing!r}"
    if not isinstance(getattr(settings, "licences_owned", None), bool):
        return "setting licences_owned must be yes or no"
    for name, low, high in (("hardware_age_years", 0.0, 30.0), ("hardware_life_years", 1.0, 30.0)):
        value = getattr(settings, name)
        if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
            return f"setting {name} must be a number from {low:g} to {high:g}, got {value!r}"
    year, years = getattr(settings, "size_for_year", 0), getattr(settings, "years", 5)
    if not isinstance(year, int) or isinstance(year, bool) or not 0 <= year <= years:
        return f"setting size_for_year must be a whole number from 0 to the horizon ({years} years), got {year!r}"
    return ""
