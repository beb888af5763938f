"""English msgids for the codes the management pages show (states, causes, lines,
clocks ...). Translated through the "admin" catalogue like every other label; an
unknown code is shown as it is. The closed lists a refusal can name (complaint causes,
channels) come from ``claimdesk.code_labels``, so pages and messages say them alike."""

from __future__ import annotations

from collections.abc import Callable

from claimdesk.code_labels import LABELS, MORE_LABELS, STP_LABELS


def labeller(gettext: Callable[..., str]) -> Callable[[object], str]:
    def label(code: object) -> str:
        text = str(code) if code is not None else ""
        msgid = LABELS.get(text) or MORE_LABELS.get(text)
        return gettext(msgid) if msgid else text

    return label


__all__ = ["LABELS", "MORE_LABELS", "STP_LABELS", "labeller"]
