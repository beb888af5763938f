"""Amounts, times and durations as people read them, in zh-CN or English (GEN-1, GEN-2,
issue 12). One formatter each, used by the pages (kit filters) and the PDFs alike:

* money: ``¥9,000.00`` — CNY, thousands separators, two decimals rounded half-up once
  (Babel's number pattern);
* local_datetime: ``2026年12月20日 10:00`` / ``20 Dec 2026 10:00`` in the zone of the
  ``timezone`` setting;
* local_stamp: ``2026-12-20 10:00 +08:00 (Asia/Shanghai)`` — an instant an operator
  reads in a command's output, with its offset and zone;
* duration: ``3 天 18 小时`` / ``3 days 18 hours`` (never ``3d 18h``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from claimdesk.field_labels import without_spec_refs
from claimdesk.i18n import current_language
from claimdesk.timeutil import local_zone

__all__ = [
    "amount",
    "both_dates",
    "both_times",
    "dates_as_written",
    "duration",
    "local_date",
    "local_datetime",
    "local_stamp",
    "money",
    "month",
    "name_in",
    "name_language",
    "terms_in",
    "without_spec_refs",
]

CENT = Decimal("0.01")


def _zh(language: str | None) -> bool:
    return (language or current_language.get()).lower().startswith("zh")


def money(value: Any, language: str | None = None) -> str:
    """``¥1,234.56``; ``—`` when there is none; a value that is no number as it is."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    text = format_decimal(abs(amount), format="#,##0.00", locale="zh_CN")
    return f"-¥{text}" if amount < 0 else f"¥{text}"


def amount(value: Any) -> str:
    """An amount without the currency sign (a column already headed "CNY"): ``9,000.00``."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    return str(format_decimal(number, format="#,##0.00", locale="zh_CN"))


def _instant(raw: Any) -> dt.datetime | None:
    value: object = raw
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)

        return value.astimezone(local_zone())
    return None


def local_datetime(value: Any, language: str | None = None) -> str:
    """An instant in local time: ``2026年12月20日 10:00`` / ``20 Dec 2026 10:00``."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return local_date(value, language)
    local = _instant(value)
    if local is None:
        return str(value)
    if _zh(language):
        return str(format_datetime(local, "y年M月d日 HH:mm", locale="zh_CN"))
    return str(format_datetime(local, "d MMM y HH:mm", locale="en"))


def local_stamp(value: Any) -> str:
    """An instant in a command's output or a log line, in local time with its offset and
    zone (GEN-2): ``2026-12-20 10:00 +08:00 (Asia/Shanghai)`` — never a bare local time,
    which an operator on a server kept in UTC reads eight hours wrong. A naive instant is
    UTC, as stored; none is ``-``."""
    local = _instant(value)
    if local is None:
        return "-" if value is None or value == "" else str(value)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]} ({local_zone().key})"


def local_date(value: Any, language: str | None = None) -> str:
    """A calendar date: ``2026年12月20日`` / ``20 Dec 2026``."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return str(value)
    if isinstance(value, dt.datetime):
        local = _instant(value)
        value = local.date() if local else value.date()
    if not isinstance(value, dt.date):
        return str(value)
    if _zh(language):
        return str(format_date(value, "y年M月d日", locale="zh_CN"))
    return str(format_date(value, "d MMM y", locale="en"))


def both_dates(value: Any) -> str:
    """A date in both languages of the bilingual PDFs: ``2026年12月2日 / 2 Dec 2026``
    (GEN-2), never ISO text — the materials receipt, the adjustment report, the
    settlement and rejection notices alike."""
    return f"{local_date(value, 'zh-CN')} / {local_date(value, 'en')}"


def both_times(value: Any) -> str:
    """An instant in local time in both languages of the bilingual PDFs:
    ``2026年12月2日 10:00 / 2 Dec 2026 10:00``."""
    return f"{local_datetime(value, 'zh-CN')} / {local_datetime(value, 'en')}"


_ISO_DAY = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])")


def dates_as_written(text: str | None, language: str | None = None) -> str:
    """``text`` with each ISO day in it (``2026-09-01``) as ``local_date`` writes it
    (``2026年9月1日`` / ``1 Sep 2026``), at display time: the reasons an automatic check
    stored before its words were fixed (b2d155a) carry ISO days, as do the referrals and
    holds written from them; what the stored text says is kept, only its days are read as
    people write them (GEN-2). A run of digits and hyphens longer than a day (a receipt
    number) and a string that is no real day are left as they are."""
    if not text:
        return text or ""

    def day(found: re.Match[str]) -> str:
        try:
            value = dt.date.fromisoformat(found.group(0))
        except ValueError:
            return found.group(0)
        return local_date(value, language)

    return _ISO_DAY.sub(day, text)


def month(value: Any, language: str | None = None) -> str:
    """A month of the dashboards ("2026-03", a Beijing-time month) as people write it:
    ``2026年3月`` / ``Mar 2026``, as local_date writes its day; anything else as it is."""
    text = "" if value is None else str(value)
    try:
        first = dt.date.fromisoformat(f"{text}-01") if len(text) == 7 else None
    except ValueError:
        first = None
    if first is None:
        return text
    if _zh(language):
        return f"{first.year}年{first.month}月"
    return str(format_date(first, "MMM y", locale="en"))


def name_in(thing: Any, language: str | None = None) -> str:
    """A product's or a coverage's name in the reader's language: its English name
    (``name_en``) for an English reader when it has one, its Chinese ``name`` otherwise —
    the one rule every page uses, never an ``if`` in a template (GEN-6). ``thing`` is a
    model row, a read model or a mapping with ``name`` and ``name_en``."""
    if thing is None:
        return ""
    if isinstance(thing, Mapping):
        name, english = thing.get("name"), thing.get("name_en")
    else:
        name, english = getattr(thing, "name", None), getattr(thing, "name_en", None)
    if english and not _zh(language):
        return str(english)
    return "" if name is None else str(name)


def name_language(thing: Any, language: str | None = None) -> str:
    """The language of what ``name_in`` shows, for a page's ``lang`` attribute: ``en``
    when it shows the English name, ``zh-CN`` when the Chinese one."""
    if thing is None:
        return "zh-CN"
    english = (
        thing.get("name_en") if isinstance(thing, Mapping) else getattr(thing, "name_en", None)
    )
    return "en" if english and not _zh(language) else "zh-CN"


def terms_in(version: Any, language: str | None = None) -> list[tuple[str, str, str]]:
    """A product version's plain-language explanations of its terms (PRD-5) for the
    reader: (term, explanation, its language) each, in the version's order. An English
    reader gets a term's English (``terms_en``: {Chinese term: {"term", "text"}}) where
    the version gives one and the Chinese otherwise, marked ``zh-CN`` for the page's
    ``lang`` attribute; a Chinese reader the Chinese. ``version`` is a model row, a read
    model or a mapping with ``terms`` (and ``terms_en``)."""
    if version is None:
        return []
    if isinstance(version, Mapping):
        terms, english = version.get("terms"), version.get("terms_en")
    else:
        terms, english = getattr(version, "terms", None), getattr(version, "terms_en", None)
    shown: list[tuple[str, str, str]] = []
    for term, text in (terms or {}).items():
        found = None if _zh(language) else (english or {}).get(term)
        if found is not None:
            pair = found if isinstance(found, Mapping) else found.model_dump()
            shown.append((str(pair["term"]), str(pair["text"]), "en"))
        else:
            shown.append((str(term), str(text), "zh-CN"))
    return shown


def text_in(version: Any, field: str, language: str | None = None) -> tuple[str, str]:
    """A version's stated text (``insured_liabilities`` or ``exclusions``) for the reader,
    with its language: the English explanation (``<field>_en``) to an English reader
    where the version gives one, else the Chinese, marked ``zh-CN``; ("", "zh-CN") when
    the version states nothing."""
    chinese = getattr(version, field, None) or ""
    english = None if _zh(language) else getattr(version, f"{field}_en", None)
    return (str(english), "en") if english else (str(chinese), "zh-CN")


def file_size(size: int | None) -> str:
    """A file's size as people read it: ``812 B``, ``48.2 KB``, ``3.4 MB`` (1 KB = 1024 B,
    as file managers count)."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:,.1f} KB"
    return f"{size / (1024 * 1024):,.1f} MB"


def duration(seconds: float | int | dt.timedelta | None, language: str | None = None) -> str:
    """A span in days, hours and minutes (the two largest parts): ``3 天 18 小时`` /
    ``3 days 18 hours``; a negative span is said as the same words (the caller says
    "overdue")."""
    if seconds is None:
        return ""
    if isinstance(seconds, dt.timedelta):
        seconds = seconds.total_seconds()
    total = int(abs(seconds)) // 60
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "天", "day"), (hours, "小时", "hour"), (minutes, "分钟", "minute")]
    while parts and parts[0][0] == 0 and len(parts) > 1:
        parts.pop(0)
    shown = [p for p in parts[:2] if p[0]]
    if not shown:
        return "不到 1 分钟" if _zh(language) else "under a minute"
    if _zh(language):
        return " ".join(f"{n} {zh}" for n, zh, _en in shown)
    return " ".join(f"{n} {en}{'' if n == 1 else 's'}" for n, _zh, en in shown)
