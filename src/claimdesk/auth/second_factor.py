"""The customer's second factor: a 6-digit SMS code (CLM-A2, SEC-8, SEC-9).

A customer acting for themself passes it on every channel: the portal's login page
keeps the challenge in a cookie, the API (``POST /auth/token`` then
``POST /auth/token/verify``) hands it to the client. The code goes to the customer's
own phone through the notification outbox (and, in development, the log). Only a keyed
hash of it is kept, in a signed, short-lived challenge together with the user id and
the expiry; wrong codes count in the same server-side login throttle as wrong
passwords (``auth.service.register_failure``), so replaying an old challenge buys no
extra guesses. A verified code opens a session whose auth_method is "password+sms".
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import json
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth import repository
from claimdesk.auth import service as auth_service
from claimdesk.auth.principal import Principal
from claimdesk.config import get_settings
from claimdesk.crypto.keyring import blind_index
from claimdesk.errors import InvalidCredentials, ValidationFailed
from claimdesk.jobs.outbox import send_message
from claimdesk.models.base import utcnow
from claimdesk.models.person import Person
from claimdesk.models.user import User

log = logging.getLogger("claimdesk.portal.sms")

CODE_TTL = dt.timedelta(minutes=5)
CHALLENGE_COOKIE = "claimdesk_sms"
AUTH_METHOD = auth_service.SECOND_FACTOR_METHOD
_PURPOSE = "portal_sms"


class SmsCodeInvalid(ValidationFailed):
    code = "sms_code_invalid"
    message_zh = "{field}：验证码错误或已过期，请重新获取"
    message_en = "{field}: the code is wrong or has expired; request a new one"


class SmsCodeWrong(SmsCodeInvalid):
    # The failure is counted in the throttle even though the request is refused.
    commit_anyway = True


class SmsCodeUsed(SmsCodeInvalid):
    code = "sms_code_used"
    message_zh = "{field}：该验证码已使用过，请重新获取"
    message_en = "{field}: this code has already been used; request a new one"


class NoPhoneOnFile(ValidationFailed):
    code = "no_phone_on_file"
    message_zh = "{field}：您的资料中没有手机号码，请联系客服"
    message_en = "{field}: there is no mobile number on file; please contact customer service"


def _sign(payload: str) -> str:
    return blind_index(payload, _PURPOSE + ":sig").lower()


def _code_hash(user_id: int, nonce: str, code: str) -> str:
    return blind_index(f"{user_id}:{nonce}:{code}", _PURPOSE).lower()


def encode_challenge(data: dict[str, object]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(data, sort_keys=True).encode()).decode()
    return f"{payload}.{_sign(payload)}"


def decode_challenge(value: str | None) -> dict[str, object] | None:
    if not value or "." not in value:
        return None
    payload, signature = value.rsplit(".", 1)
    if not hmac.compare_digest(_sign(payload), signature):
        return None
    try:
        data: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return None
    return data


@dataclass(frozen=True)
class Challenge:
    token: str
    expires_at: dt.datetime


def start(session: Session, *, username: str, password: str, ip: str | None) -> Challenge:
    """Check the password (throttled and counted like every login) and send a code.
    Wrong password: InvalidCredentials (commit-worthy)."""
    now = utcnow()
    user = auth_service.authenticate(session, username=username, password=password, ip=ip, now=now)
    if user.person_id is None:
        # A staff account has no phone of its own on file: it logs in on /login.
        raise InvalidCredentials(field="password")
    return send_code(session, user=user, ip=ip, now=now)


def send_code(session: Session, *, user: User, ip: str | None, now: dt.datetime) -> Challenge:
    """Send a fresh code to the phone on the user's person record; the challenge names
    the user, a nonce, the expiry and the code's keyed hash, signed."""
    person = session.get(Person, user.person_id) if user.person_id is not None else None
    if person is None or not person.phone:
        raise NoPhoneOnFile(field="username")
    code = f"{secrets.randbelow(1_000_000):06d}"
    nonce = secrets.token_urlsafe(12)
    send_message(
        session,
        channel="sms",
        recipient=person.phone,
        template="portal.login_code",
        body=f"【claimdesk】您的登录验证码为 {code}，5 分钟内有效。请勿告诉他人。",
        person_id=person.id,
        related_type="user",
        related_id=user.id,
    )
    if get_settings().is_development:
        # The development log stands in for the phone (see README: demo logins).
        log.warning("development SMS to %s: login code %s", person.phone[-4:], code)
    actor = Principal(user_id=user.id, username=user.username, roles=frozenset(), ip=ip)
    record(session, actor=actor, action="auth.sms_code_sent", entity_type="user", entity_id=user.id)
    expires = now + CODE_TTL
    token = encode_challenge(
        {
            "uid": user.id,
            "nonce": nonce,
            "exp": expires.isoformat(),
            "hash": _code_hash(user.id, nonce, code),
        }
    )
    return Challenge(token=token, expires_at=expires)


def _use_once(session: Session, *, nonce: str, user_id: int, now: dt.datetime) -> None:
    """Spend the challenge: its primary key refuses a second use, also when two requests
    race with the same challenge (the loser waits for the winner's commit, then fails)."""
    if not repository.spend_challenge(session, nonce=nonce, user_id=user_id, now=now):
        raise SmsCodeUsed(field="code")
    # Spent challenges older than any live one are of no further use.
    repository.forget_spent_challenges(session, before=now - 2 * CODE_TTL)


def verify(
    session: Session, *, challenge: str | None, code: str, ip: str | None, kind: str = "web"
) -> auth_service.IssuedSession:
    """Open a session (``kind`` web or api) for a correct, unexpired code; else count a
    failure against the user and the address."""
    now = utcnow()
    data = decode_challenge(challenge)
    if data is None:
        raise SmsCodeInvalid(field="code")
    user = repository.get_user(session, user_id=int(str(data["uid"])))
    if user is None or not user.is_active:
        raise SmsCodeInvalid(field="code")
    auth_service.check_throttle(session, username=user.username, ip=ip, now=now)
    expected = str(data["hash"])
    given = _code_hash(user.id, str(data["nonce"]), "".join(code.split()))
    expired = dt.datetime.fromisoformat(str(data["exp"])) < now
    if expired or not hmac.compare_digest(expected, given):
        auth_service.register_failure(session, username=user.username, ip=ip, now=now)
        raise SmsCodeWrong(field="code")
    _use_once(session, nonce=str(data["nonce"]), user_id=user.id, now=now)
    return auth_service.complete_login(
        session, user=user, ip=ip, kind=kind, auth_method=AUTH_METHOD, now=now
    )
