"""The rejection notice (拒赔通知书, CLM-V3) as a PDF with the CJK font embedded."""

from __future__ import annotations

import datetime as dt

from claimdesk.claims.documents import _Writer
from claimdesk.formatting import both_dates, both_times
from claimdesk.models.claim import Claim


def rejection_notice_pdf(
    claim: Claim,
    *,
    policy_number: str,
    clause: str,
    facts: str,
    decided_at: dt.datetime,
    appeal_zh: str,
    appeal_en: str,
) -> bytes:
    doc = _Writer(f"拒赔通知书 Notice of rejection — {claim.number}")
    doc.line(f"报案号 Claim: {claim.number}    保单号 Policy: {policy_number}")
    doc.line(
        f"申请人 Claimant: {claim.claimant_name}    出险日期 Date of loss: {both_dates(claim.loss_date)}"
    )
    doc.line(f"核定日期 Decided: {both_times(decided_at)}")
    doc.line("")
    doc.line(
        "经审核，本公司对您的理赔申请不予赔付。We have decided not to pay this claim.", size=12
    )
    doc.line("")
    doc.line("一、拒赔依据（合同条款） Clause:", size=12)
    doc.line(clause, indent=10)
    doc.line("二、认定事实 Facts:", size=12)
    doc.line(facts, indent=10)
    doc.line("三、救济途径 How to appeal:", size=12)
    doc.line(appeal_zh, indent=10)
    doc.line(appeal_en, indent=10)
    doc.line("")
    doc.line(
        "本通知依据《中华人民共和国保险法》第二十四条出具。 Issued under Insurance Law art. 24."
    )
    return doc.done()
