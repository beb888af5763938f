"""Demo customers with valid identity numbers, phones, bank cards and consents.

Called by ``claimdesk demo``. Idempotent: a person whose identity-number hash already
exists is left as it is. The numbers are valid by construction (GB 11643 check digit,
Luhn) and belong to nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.crypto.indexes import PURPOSE_ID_NUMBER
from claimdesk.crypto.keyring import blind_index
from claimdesk.models.person import Person
from claimdesk.people import repository, service
from claimdesk.people.schemas import ConsentIn

CONSENT_TEXT = (
    "本人同意贵公司为办理保险合同及理赔事务，收集并使用本人的身份、联系方式、医疗及银行账户信息。"
    " I agree that the insurer collects and uses my identity, contact, medical and bank "
    "details to administer my policy and claims."
)
CARE_TEXT = "本人同意接收健康及保险资讯。I agree to receive health and insurance information."


@dataclass(frozen=True)
class DemoPerson:
    name: str
    id_number: str
    phone: str
    email: str
    address: str
    bank_name: str
    card: str
    medical_notes: str | None = None
    customer_care: bool = False


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        "王建国",
        "110105198503124515",
        "13812345678",
        "wang.jianguo@example.com",
        "北京市朝阳区建国路 88 号 3 单元 502 室",
        "中国工商银行",
        "6222021001234567896",
        medical_notes="高血压（2019 年起服药控制）",
        customer_care=True,
    ),
    DemoPerson(
        "李静",
        "310104199207183022",
        "13987654321",
        "li.jing@example.com",
        "上海市徐汇区漕溪北路 201 弄 12 号",
        "中国建设银行",
        "6217000123456789019",
    ),
    DemoPerson(
        "陈志强",
        "440305197809256177",
        "18612345670",
        "chen.zhiqiang@example.com",
        "广东省深圳市南山区科技园南区 9 栋 1801",
        "中国农业银行",
        "6228480012345678903",
        customer_care=True,
    ),
    DemoPerson(
        "刘芳",
        "510107200102042583",
        "15012345679",
        "liu.fang@example.com",
        "四川省成都市武侯区人民南路四段 27 号",
        "招商银行",
        "6214837555123456785",
        medical_notes="青霉素过敏",
    ),
    DemoPerson(
        "张秀英",
        "330106196608307420",
        "13705712345",
        "zhang.xiuying@example.com",
        "浙江省杭州市西湖区文三路 398 号",
        "中国工商银行",
        "6222021001987654321",
    ),
)


def load_demo_people(session: Session, actor: Principal) -> list[Person]:
    """Create (or find) the demo customers; returns them in DEMO_PEOPLE order.

    ``actor`` is normally ``Principal.system("demo")``. A staff actor without people
    permissions (e.g. the administrator running the demo) is recorded in the audit trail
    as ``demo:<username>`` acting as the system, since the people services scope rows by
    permission."""
    if actor.session_kind != "system" and not actor.has(Permission.PEOPLE_WRITE):
        actor = Principal.system(f"demo:{actor.username}")
    people = []
    for demo in DEMO_PEOPLE:
        existing = repository.any_person_with_id_hash(
            session, id_hash=blind_index(demo.id_number, PURPOSE_ID_NUMBER)
        )
        if existing is not None:
            person = session.get(Person, existing)
            assert person is not None
            people.append(person)
            continue
        person = service.create_person(
            session,
            actor=actor,
            name=demo.name,
            id_number=demo.id_number,
            phone=demo.phone,
            email=demo.email,
            address=demo.address,
            medical_notes=demo.medical_notes,
            consent=ConsentIn(
                purpose="claims_handling",
                scope=["identity", "contact", "medical", "bank"],
                method="written",
                text=CONSENT_TEXT,
            ),
        )
        if demo.customer_care:
            service.record_consent(
                session,
                actor=actor,
                person_id=person.id,
                consent=ConsentIn(
                    purpose="customer_care",
                    scope=["contact"],
                    method="online_click",
                    text=CARE_TEXT,
                ),
            )
        service.add_bank_account(
            session,
            actor=actor,
            person_id=person.id,
            holder_name=demo.name,
            bank_name=demo.bank_name,
            account_number=demo.card,
        )
        people.append(person)
    return people
