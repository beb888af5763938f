"""Deadline vectors (``"kind": "deadline"``, SPEC GEN-4).

A vector gives ``rule`` {type, n}, ``start`` (ISO 8601 with offset), optional ``pauses``
[[pause, resume|null], …] and ``expect`` {due}. The calendar is mainland China's from
the ``holidays`` package, for every year it has a published arrangement; a computation
that needs any other year fails with that reason instead of guessing.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from claimdesk.errors import ClaimdeskError
from claimdesk.rules.calendar import (
    Calendar,
    calendar_from_holidays_package,
    package_published_years,
)
from claimdesk.rules.deadlines import Pause, Rule, evaluate


class VectorError(Exception):
    """The vector itself is malformed; the message is the FAIL reason."""


@lru_cache(maxsize=1)
def package_calendar() -> Calendar:
    return calendar_from_holidays_package(package_published_years())


def _instant(value: Any, where: str) -> dt.datetime:
    if not isinstance(value, str):
        raise VectorError(f"{where} must be an ISO 8601 instant string")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise VectorError(f"{where} is not an ISO 8601 instant: {value!r}") from error
    if parsed.tzinfo is None:
        raise VectorError(f"{where} has no UTC offset: {value!r}")
    return parsed


def _rule(value: Any) -> Rule:
    if not isinstance(value, dict) or "type" not in value or "n" not in value:
        raise VectorError("rule must be an object with 'type' and 'n'")
    try:
        return Rule(type=value["type"], n=value["n"])
    except ClaimdeskError as error:
        raise VectorError(f"rule: {error.message('en')}") from error


def _pauses(value: Any) -> list[Pause]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise VectorError("pauses must be a list of [pause, resume] pairs")
    pauses: list[Pause] = []
    for index, pair in enumerate(value):
        if not isinstance(pair, list) or len(pair) != 2:
            raise VectorError(f"pauses[{index}] must be a [pause, resume] pair")
        paused = _instant(pair[0], f"pauses[{index}][0]")
        resumed = None if pair[1] is None else _instant(pair[1], f"pauses[{index}][1]")
        pauses.append((paused, resumed))
    return pauses


def _show(value: dt.datetime | None) -> str:
    return "paused (no due date)" if value is None else value.isoformat()


def check_vector(vector: dict[str, Any]) -> str | None:
    """None when the vector passes, else the reason it fails."""
    try:
        rule = _rule(vector.get("rule"))
        if "start" not in vector:
            raise VectorError("missing key 'start'")
        start = _instant(vector["start"], "start")
        pauses = _pauses(vector.get("pauses"))
        expect = vector.get("expect")
        if not isinstance(expect, dict) or "due" not in expect:
            raise VectorError("missing key 'expect.due'")
        expected = None if expect["due"] is None else _instant(expect["due"], "expect.due")
    except VectorError as error:
        return str(error)
    calendar = package_calendar()
    try:
        result = evaluate(rule, start, calendar, pauses)
    except ClaimdeskError as error:
        return error.message("en")
    if result.provisional and result.due is not None:
        # The engine counts such a year on the provisional calendar (GEN-3); a conformance
        # run verifies the published one only, so it says which year it lacks.
        return _provisional_reason(calendar, start, result.due)
    if result.due != expected:
        return f"due {_show(result.due)} != {_show(expected)}"
    return None


def _provisional_reason(calendar: Calendar, start: dt.datetime, due: dt.datetime) -> str:
    years = range(start.year, due.year + 1)
    missing = ", ".join(str(y) for y in years if calendar.is_provisional(y))
    return (
        f"needs {missing}: the holidays package has no published arrangement for it "
        "(the provisional calendar is not verified here)"
    )
