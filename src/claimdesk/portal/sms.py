"""The customer portal's second factor: a 6-digit SMS code (CLM-A2, SEC-8).

The code goes to the customer's own phone through the notification outbox (and the
development log). Only a keyed hash of it is kept, in a signed, short-lived challenge
cookie together with the user id and the expiry; wrong codes count in the same
server-side login throttle as wrong passwords, so replaying an old challenge buys no
extra guesses. A verified code opens a session whose auth_method is "password+sms".
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import json
import logging
import secrets

from sqlalchemy.orm import Session

from claimdesk.audit.service import record
from claimdesk.auth import service as auth_service
from claimdesk.auth.principal import Principal
from claimdesk.config import get_settings
from claimdesk.crypto.keyring import blind_index
from claimdesk.errors import InvalidCredentials, ValidationFailed
from claimdesk.jobs.outbox import send_message
from claimdesk.models.base import utcnow
from claimdesk.models.person import Person

log = logging.getLogger("claimdesk.portal.sms")

CODE_TTL = dt.timedelta(minutes=5)
CHALLENGE_COOKIE = "claimdesk_sms"
AUTH_METHOD = "password+sms"
_PURPOSE = "portal_sms"


class SmsCodeInvalid(ValidationFailed):
    code = "sms_code_invalid"
    message_zh = "{field}：验证码错误或已过期，请重新获取"
    message_en = "{field}: the code is wrong or has expired; request a new one"


class SmsCodeWrong(SmsCodeInvalid):
    # The failure is counted in the throttle even though the request is refused.
    commit_anyway = True


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


def start(session: Session, *, username: str, password: str, ip: str | None) -> str:
    """Check the password (throttled like every login) and send a code; returns the
    challenge to keep in a cookie. Wrong password: InvalidCredentials (commit-worthy)."""
    now = utcnow()
    auth_service._check_throttle(session, username, ip, now)  # same throttle as staff login
    from claimdesk.auth import repository
    from claimdesk.auth.passwords import dummy_hash, verify_password

    user = repository.get_user_by_username(session, username)
    valid = verify_password(user.password_hash if user else dummy_hash(), password)
    if user is None or not valid or not user.is_active or user.person_id is None:
        auth_service._register_failure(session, username, ip, now)
        raise InvalidCredentials(field="password")
    person = session.get(Person, user.person_id)
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
    return encode_challenge(
        {
            "uid": user.id,
            "nonce": nonce,
            "exp": expires.isoformat(),
            "hash": _code_hash(user.id, nonce, code),
        }
    )


def verify(
    session: Session, *, challenge: str | None, code: str, ip: str | None
) -> auth_service.IssuedSession:
    """Open a web session for a correct, unexpired code; else count a failure."""
    now = utcnow()
    data = decode_challenge(challenge)
    if data is None:
        raise SmsCodeInvalid(field="code")
    from claimdesk.auth import repository

    user = repository.get_user(session, int(str(data["uid"])))
    if user is None or not user.is_active:
        raise SmsCodeInvalid(field="code")
    auth_service._check_throttle(session, user.username, ip, now)
    expected = str(data["hash"])
    given = _code_hash(user.id, str(data["nonce"]), "".join(code.split()))
    expired = dt.datetime.fromisoformat(str(data["exp"])) < now
    if expired or not hmac.compare_digest(expected, given):
        auth_service._register_failure(session, user.username, ip, now)
        raise SmsCodeWrong(field="code")
    issued = auth_service.open_session(
        session, user=user, ip=ip, kind="web", auth_method=AUTH_METHOD, now=now
    )
    record(
        session,
        actor=issued.principal,
        action="auth.login",
        entity_type="user",
        entity_id=user.id,
        details={"kind": "web", "method": AUTH_METHOD},
    )
    return issued
