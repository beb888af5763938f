"""Queries for people, with the row-level rule (SEC-4): a principal without
``PEOPLE_READ``/``PEOPLE_WRITE`` (a customer) only ever sees the person record tied to
their account."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.models.claim import Claim
from claimdesk.models.payment import Payment
from claimdesk.models.person import BankAccount, Consent, Person
from claimdesk.models.states import ClaimState, PaymentState


def _scoped(query: Select[Person], actor: Principal) -> Select[Person]:
    if (
        actor.session_kind == "system"
        or actor.has(Permission.PEOPLE_READ)
        or actor.has(Permission.PEOPLE_WRITE)
    ):
        return query
    # Customers (OWN_PROFILE) and anyone else: their own record or nothing.
    if actor.person_id is None:
        return query.where(Person.id.is_(None))
    return query.where(Person.id == actor.person_id)


def get_person(session: Session, *, actor: Principal, person_id: int) -> Person | None:
    return session.scalars(_scoped(select(Person).where(Person.id == person_id), actor)).first()


def people_by_id_hash(session: Session, *, actor: Principal, id_hash: str) -> list[Person]:
    query = select(Person).where(Person.id_number_hash == id_hash).order_by(Person.id)
    return list(session.scalars(_scoped(query, actor)))


def people_by_phone_hash(session: Session, *, actor: Principal, phone_hash: str) -> list[Person]:
    query = select(Person).where(Person.phone_hash == phone_hash).order_by(Person.id)
    return list(session.scalars(_scoped(query, actor)))


def any_person_with_id_hash(session: Session, *, id_hash: str) -> int | None:
    """Uniqueness check across all people, whoever asks (no row scoping)."""
    return session.scalars(select(Person.id).where(Person.id_number_hash == id_hash)).first()


def bank_accounts_of(
    session: Session, *, person_id: int, include_removed: bool = False
) -> list[BankAccount]:
    """The person's accounts in use; with ``include_removed`` the removed ones too (the
    staff's view of the person: history)."""
    query = select(BankAccount).where(BankAccount.person_id == person_id)
    if not include_removed:
        query = query.where(BankAccount.removed_at.is_(None))
    return list(session.scalars(query.order_by(BankAccount.id)))


def claims_paying_to(session: Session, *, account_id: int) -> list[str]:
    """Numbers of the claims with a payment to ``account_id`` not yet made: pending,
    in a bank file, or failed (a failed transfer is exported again to the same account,
    CLM-P5). No principal: the caller loaded the account through its person's row rule."""
    query = (
        select(Claim.number)
        .join(Payment, Payment.claim_id == Claim.id)
        .where(
            Payment.bank_account_id == account_id,
            Payment.status.in_((PaymentState.PENDING, PaymentState.EXPORTED, PaymentState.FAILED)),
        )
        .distinct()
        .order_by(Claim.number)
    )
    return list(session.scalars(query))


def claims_awaiting_payment_of(session: Session, *, person_id: int) -> list[str]:
    """Numbers of the claims approved and awaiting their payment (state ``approved``) whose
    insured is ``person_id``: the payment officer pays them to one of the insured's
    accounts. No principal, as ``claims_paying_to``."""
    query = (
        select(Claim.number)
        .where(Claim.insured_person_id == person_id, Claim.state == ClaimState.APPROVED)
        .order_by(Claim.number)
    )
    return list(session.scalars(query))


def bank_account_by_hash(
    session: Session, *, person_id: int, account_hash: str
) -> BankAccount | None:
    query = select(BankAccount).where(
        BankAccount.person_id == person_id, BankAccount.account_hash == account_hash
    )
    return session.scalars(query).first()


def get_bank_account(session: Session, *, actor: Principal, account_id: int) -> BankAccount | None:
    """The account, if ``actor`` may see its person (``_scoped``, SEC-4); None otherwise,
    as for one that does not exist."""
    people = _scoped(select(Person), actor).with_only_columns(Person.id)
    query = select(BankAccount).where(
        BankAccount.id == account_id, BankAccount.person_id.in_(people)
    )
    return session.scalars(query).first()


def consents_of(session: Session, *, person_id: int) -> list[Consent]:
    query = select(Consent).where(Consent.person_id == person_id).order_by(Consent.id)
    return list(session.scalars(query))


def get_consent(session: Session, *, person_id: int, consent_id: int) -> Consent | None:
    # No principal: the service loads the person through get_person (row-filtered) first,
    # and the consent is looked up under that person only.
    query = select(Consent).where(Consent.id == consent_id, Consent.person_id == person_id)
    return session.scalars(query).first()


def active_consents(session: Session, *, person_id: int) -> list[Consent]:
    query = select(Consent).where(Consent.person_id == person_id, Consent.withdrawn_at.is_(None))
    return list(session.scalars(query))


def consenting_person_ids(session: Session, *, purpose: str) -> list[int]:
    """People with a consent to ``purpose`` not withdrawn, by id: the candidates only —
    people.service.has_consent is the one rule (SEC-6)."""
    return list(
        session.scalars(
            select(Consent.person_id)
            .where(Consent.purpose == purpose, Consent.withdrawn_at.is_(None))
            .distinct()
            .order_by(Consent.person_id)
        ).all()
    )


def preferred_language(session: Session, *, person_id: int | None) -> str | None:
    """The language ``person_id`` chose for their notices, None if none (one column, no
    row scope: the caller writes to this person, it shows them nothing)."""
    if person_id is None:
        return None
    return session.scalar(select(Person.preferred_language).where(Person.id == person_id))
