"""Time limits of security incidents per severity and stage (SEC-7, standards 9.3).

Standards 9.3 asks for a reporting system with "流程、责任和时效" but names no figures:
the administrator sets them. Until the administrator has set a limit, the DEFAULTS
below apply — a starting point, not a rule of law, shown as "default" on the
thresholds page:

==========  =====  =======  ==========  ===============  ===============
severity    report contain  root cause  corrective       review
==========  =====  =======  ==========  ===============  ===============
critical    1 h    2 h      24 h        5 working days   10 working days
high        2 h    8 h      72 h        10 working days  15 working days
medium      8 h    24 h     5 w. days   15 working days  20 working days
low         24 h   3 w.d.   10 w. days  20 working days  30 working days
==========  =====  =======  ==========  ===============  ===============

Each limit runs from the moment its stage opens: "report" from the detection to the
report, "contain" from the report, "root_cause" from the containment, "correct" from
the root cause, "review" from the corrections. A change applies to stages that open
after it; a running clock keeps the rule it started with (and shows it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth.principal import Principal
from claimdesk.claims import timeutil
from claimdesk.errors import ValidationFailed
from claimdesk.models.security_incident import SecurityIncidentTimeLimit
from claimdesk.rules.deadlines import MAX_N, RULE_TYPES, Rule, RuleType
from claimdesk.security import repository
from claimdesk.security.errors import UnknownIncidentCode

SEVERITIES = ("critical", "high", "medium", "low")
STAGES = ("report", "contain", "root_cause", "correct", "review")

H: Final[RuleType] = "hours"
WD: Final[RuleType] = "working_days"
DEFAULTS: dict[str, dict[str, Rule]] = {
    "critical": {
        "report": Rule(H, 1),
        "contain": Rule(H, 2),
        "root_cause": Rule(H, 24),
        "correct": Rule(WD, 5),
        "review": Rule(WD, 10),
    },
    "high": {
        "report": Rule(H, 2),
        "contain": Rule(H, 8),
        "root_cause": Rule(H, 72),
        "correct": Rule(WD, 10),
        "review": Rule(WD, 15),
    },
    "medium": {
        "report": Rule(H, 8),
        "contain": Rule(H, 24),
        "root_cause": Rule(WD, 5),
        "correct": Rule(WD, 15),
        "review": Rule(WD, 20),
    },
    "low": {
        "report": Rule(H, 24),
        "contain": Rule(WD, 3),
        "root_cause": Rule(WD, 10),
        "correct": Rule(WD, 20),
        "review": Rule(WD, 30),
    },
}

# Shown beside each deadline (GEN-4: which rule made it, and where it comes from).
BASIS: dict[str, str] = {
    "report": "服务标准 9.3.1：发现信息安全事件后及时报告；时限由管理员按严重程度设定 (SEC-7)",
    "contain": "服务标准 9.3.2：隔离、修复、恢复；时限由管理员按严重程度设定 (SEC-7)",
    "root_cause": "服务标准 9.3.2：分析事件原因；时限由管理员按严重程度设定 (SEC-7)",
    "correct": "服务标准 9.3.2：制定并落实整改措施；时限由管理员按严重程度设定 (SEC-7)",
    "review": "服务标准 9.3.3：总结评估；时限由管理员按严重程度设定 (SEC-7)",
}


def clock_name(stage: str) -> str:
    return f"security_incident.{stage}"


def choose(value: str | None, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise UnknownIncidentCode(field=field, value=value, allowed=", ".join(allowed))
    assert value is not None
    return value


@dataclass(frozen=True)
class Limit:
    severity: str
    stage: str
    rule: Rule
    default: Rule
    row: SecurityIncidentTimeLimit | None

    @property
    def is_default(self) -> bool:
        return self.row is None


def _rows(session: Session) -> dict[tuple[str, str], SecurityIncidentTimeLimit]:
    rows = repository.time_limits(session)
    return {(r.severity, r.stage): r for r in rows}


def _rule_of(row: SecurityIncidentTimeLimit | None, default: Rule) -> Rule:
    if row is None:
        return default
    return Rule(type=row.rule_type, n=row.rule_n)  # type: ignore[arg-type]


def limit_for(session: Session, *, severity: str, stage: str) -> Rule:
    row = repository.time_limit(session, severity=severity, stage=stage)
    return _rule_of(row, DEFAULTS[severity][stage])


def limits_table(session: Session) -> list[Limit]:
    """Every severity × stage with the rule that applies now and its default."""
    rows = _rows(session)
    table = []
    for severity in SEVERITIES:
        for stage in STAGES:
            default = DEFAULTS[severity][stage]
            row = rows.get((severity, stage))
            table.append(Limit(severity, stage, _rule_of(row, default), default, row))
    return table


def _checked_rule(rule_type: str | None, n: object) -> Rule:
    kind = choose(rule_type, RULE_TYPES, "rule_type")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_N:
        raise ValidationFailed(
            field="n",
            zh="{field}：须为 1 至 " + str(MAX_N) + " 的整数",
            en="{field}: must be a whole number from 1 to " + str(MAX_N),
        )
    return Rule(type=kind, n=n)  # type: ignore[arg-type]


def set_limit(
    session: Session,
    *,
    actor: Principal,
    severity: str,
    stage: str,
    rule_type: str | None,
    n: object,
) -> Limit:
    """The administrator sets one limit; audited with the rule before and after."""
    choose(severity, SEVERITIES, "severity")
    choose(stage, STAGES, "stage")
    rule = _checked_rule(rule_type, n)
    row = _rows(session).get((severity, stage))
    before = _rule_of(row, DEFAULTS[severity][stage])
    if row is None:
        row = SecurityIncidentTimeLimit(severity=severity, stage=stage)
        session.add(row)
    row.rule_type, row.rule_n = rule.type, rule.n
    row.updated_by_id = actor.user_id
    row.updated_at = timeutil.now()
    session.flush()
    record(
        session,
        actor=actor,
        action="security_incident.time_limit_set",
        entity_type="security_incident_time_limit",
        entity_id=f"{severity}:{stage}",
        details={
            "before": f"{before.type}:{before.n}",
            "after": f"{rule.type}:{rule.n}",
        },
    )
    return Limit(severity, stage, rule, DEFAULTS[severity][stage], row)
