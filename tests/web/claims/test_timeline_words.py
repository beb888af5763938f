"""Every audited step of a claim has words on the staff timeline, in both languages."""

from __future__ import annotations

import re

from claimdesk.i18n import gettext
from claimdesk.web.claims.pages import EVENT_LABELS, READS
from tests.paths import REPO

# The steps a claim's timeline can show: every action="claim.<x>" the services audit.
_AUDITED = re.compile(r'"(claim\.[a-z_]+)"')


def _audited_claim_actions() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "src" / "claimdesk").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "action=" in line:
                found.update(_AUDITED.findall(line))
    return found


def test_every_audited_claim_step_has_words_or_is_a_read() -> None:
    # SPEC GEN-5 (the claim's trail, readable), GEN-3 (zh-CN and English)
    actions = _audited_claim_actions()
    assert "claim.automatic_paid" in actions and "claim.investigator_assigned" in actions
    missing = sorted(a for a in actions if a not in EVENT_LABELS and a not in READS)
    assert missing == []


def test_the_words_are_translated() -> None:
    # SPEC GEN-3
    untranslated = sorted(
        label for label in EVENT_LABELS.values() if gettext(label, "zh-CN") == label
    )
    assert untranslated == []
