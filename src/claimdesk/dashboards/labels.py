"""English msgids for the codes the management pages show (states, causes, lines,
clocks ...). Translated through the "admin" catalogue like every other label; an
unknown code is shown as it is."""

from __future__ import annotations

from collections.abc import Callable

LABELS: dict[str, str] = {
    # claim lines and states
    "health": "Health", "accident": "Accident", "property": "Property",
    "liability": "Liability", "life": "Life",
    "reported": "Reported", "accepted": "Accepted", "surveyed": "Surveyed",
    "assessed": "Assessed", "adjusted": "Adjusted", "in_review": "In review",
    "approved": "Approved", "rejected": "Rejected", "paid": "Paid", "closed": "Closed",
    "awaiting_materials": "Awaiting materials", "suspended": "Suspended (fraud hold)",
    "withdrawn": "Withdrawn", "reopened": "Reopened",
    # rejection grounds
    "non_disclosure": "Non-disclosure", "exclusion": "Exclusion", "not_covered": "Not covered",
    "fraud": "Fraud", "unspecified": "Unspecified",
    # clocks
    "claim.report_entry": "Report entry (1 h)", "claim.review": "Review (3 working days)",
    "claim.determination": "Determination (30 days)",
    "claim.survey_contact": "Survey contact (1 h)", "claim.survey_report": "Survey report (24 h)",
    "claim.advance_payment": "Advance payment (60 days)",
    "claim.rejection_notice": "Rejection notice (3 days)",
    "claim.payment_small": "Small payment (24 h)",
    "claim.payment_working": "Payment (5 working days)",
    "claim.payment_agreement": "Payment after agreement (10 days)",
    "claim.callback": "Callback (3 working days)",
    "service.consultation_answer": "Consultation answer (2 h)",
    "complaint.acknowledgement": "Complaint acknowledgement (24 h)",
    "complaint.decision": "Complaint decision", "complaint.claim_response": "Claim dispute answer (2 h)",
    # complaints
    "attitude": "Attitude", "delay": "Delay", "claim_amount": "Claim amount",
    "claim_rejection": "Claim rejection", "misleading_sales": "Misleading sales",
    "policy_terms": "Policy terms", "fees": "Fees", "process": "Process", "other": "Other",
    "service": "Service", "claims": "Claims", "sales": "Sales", "product": "Product",
    "policy_service": "Policy service",
    "received": "Received", "acknowledged": "Acknowledged", "decided": "Decided",
    "escalated": "Escalated", "archived": "Archived", "open": "Open", "answered": "Answered",
    "upheld": "Upheld", "partially_upheld": "Partially upheld",
    "mediation": "Mediation", "regulator": "Regulator", "arbitration": "Arbitration",
    "court": "Court",
    # channels
    "branch": "Branch", "web_app": "Website / app", "phone": "Phone", "email": "Email",
    "sms": "SMS",
    # service types and satisfaction dimensions
    "consultation": "Product consultation", "application_help": "Application help",
    "policy_change": "Policy change", "policy_renewal": "Policy renewal",
    "policy_termination": "Policy termination", "claims_help": "Claims help",
    "health_consultation": "Health consultation", "emergency_rescue": "Emergency rescue",
    "health_management": "Health management",
    "speed": "Response speed", "result": "Result", "value_added": "Value-added services",
    "claim": "Claim", "callback": "Callback", "service_record": "Service contact",
    # dataset columns
    "line": "Line", "state": "State", "transitions": "Cases", "average_hours": "Average hours",
    "max_hours": "Longest (hours)", "clock": "Time limit", "governed": "Governed", "met": "Met",
    "missed": "Missed", "pending": "Pending", "share_met": "Share met (%)", "ground": "Ground",
    "age_days": "Age (days)", "outstanding": "Outstanding (CNY)", "cause": "Cause",
    "complaints": "Complaints", "month": "Month", "change": "Change",
    "service_type": "Service type", "surveys": "Surveys",
}


def labeller(gettext: Callable[..., str]) -> Callable[[object], str]:
    def label(code: object) -> str:
        text = str(code) if code is not None else ""
        return gettext(LABELS[text]) if text in LABELS else text

    return label
