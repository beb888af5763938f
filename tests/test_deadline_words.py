"""Every deadline's rule said in the reader's language (GEN-4 "every deadline the system
shows says which rule made it", GEN-6): clock rows keep the Chinese basis they were
started with; the pages say it from claims.deadline_names, in zh-CN or English."""

from __future__ import annotations

import re

import pytest

from claimdesk.claims.deadline_names import BY_BASIS, NAMES, name_of

CJK = re.compile(r"[\u4e00-\u9fff]")


def _stored_bases() -> list[tuple[str, str]]:
    """(clock name, basis) of every clock the service desk, the policies and the security
    incidents start: the Chinese texts their rows keep."""
    from claimdesk.policies import service as policies
    from claimdesk.security import limits
    from claimdesk.service import service as desk

    found = [
        (desk.CONSULTATION_CLOCK, desk.BASIS_CONSULTATION),
        (desk.ACK_CLOCK, desk.BASIS_ACK),
        (desk.DECISION_CLOCK, desk.BASIS_DECISION),
        (desk.DECISION_CLOCK, desk.BASIS_EXTENDED),
        (desk.CLAIM_RESPONSE_CLOCK, desk.BASIS_CLAIM_RESPONSE),
    ]
    found += [
        (spec[0], spec[2])
        for spec in (
            policies.CHANGE_CLOCK,
            policies.DISPUTE_ANSWER,
            policies.DISPUTE_FORMALITIES,
            policies.DISPUTE_PERFORMANCE,
        )
    ]
    found += [(limits.clock_name(stage), text) for stage, text in limits.BASIS.items()]
    return found


@pytest.mark.parametrize(("name", "basis"), _stored_bases())
def test_every_deadline_explains_its_rule_in_both_languages(name, basis) -> None:  # type: ignore[no-untyped-def]
    # SPEC GEN-4 (which rule made it), GEN-6 (the user's language)
    words = name_of(name, basis)
    assert name in NAMES or basis.split(" (")[0] in BY_BASIS
    assert CJK.search(words.basis("zh-CN")) and CJK.search(words.purpose("zh-CN"))
    assert not CJK.search(words.basis("en")), words.basis("en")
    assert not CJK.search(words.purpose("en")), words.purpose("en")
    assert not re.search(r"[A-Z]{2,4}-[A-Z]?\d", words.basis("en") + words.basis("zh-CN"))


def test_an_extended_complaint_shows_the_rule_it_was_extended_by() -> None:
    # SPEC SVC-3, GEN-4: the 30 days of the complaint rules, not the 15 it began with
    from claimdesk.service.service import BASIS_DECISION, BASIS_EXTENDED

    extended = name_of("complaint.decision", BASIS_EXTENDED).basis("en")
    assert "extended to 30 days" in extended
    assert "whichever comes first" in name_of("complaint.decision", BASIS_DECISION).basis("en")
