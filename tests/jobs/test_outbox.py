"""The notification outbox: written with the business change, sent once after commit.
# SPEC CLM-R3 (customer told by SMS/app), CLM-P5 (exactly once), GEN-6"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from claimdesk.config import reset_settings_cache
from claimdesk.db import make_engine, unit_of_work
from claimdesk.jobs import outbox
from claimdesk.jobs.outbox import UnknownChannel, deliver_pending, send_message
from claimdesk.jobs.senders import mask_recipient
from claimdesk.models.base import utcnow
from claimdesk.models.job import OutboxMessage
from tests.waits import run_in_threads
from tests.wording import field_in


@pytest.fixture
def factory(fresh_db_url):
    engine = make_engine(fresh_db_url)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


class Recorder:
    """A sender that remembers what it sent (thread-safe), optionally slowly."""

    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        self.sent: list[int] = []
        self.delay, self.fail = delay, fail
        self._lock = threading.Lock()

    def send(self, message):
        if self.fail:
            raise ConnectionError("gateway unreachable")
        time.sleep(self.delay)
        with self._lock:
            self.sent.append(message.id)


def _senders(recorder):
    return {"sms": recorder, "app": recorder, "email": recorder}


def _sms(session, n=1, **extra):
    return send_message(
        session,
        channel="sms",
        recipient="13800138000",
        template="claim.reported",
        body=f"您的报案已受理 {n}",
        related_type="claim",
        related_id=n,
        **extra,
    )


def test_message_rolled_back_with_the_business_change_is_never_sent(factory):  # SPEC CLM-R3
    with pytest.raises(RuntimeError), unit_of_work(factory) as session:
        _sms(session)
        raise RuntimeError("report could not be saved")
    recorder = Recorder()
    assert deliver_pending(factory, senders=_senders(recorder)) == 0
    assert recorder.sent == []
    with factory() as session:
        assert session.scalars(select(OutboxMessage)).all() == []


def test_committed_message_is_sent_once_and_logged_masked(factory, caplog):  # SPEC CLM-R3
    with unit_of_work(factory) as session:
        message_id = _sms(session).id
    with caplog.at_level(logging.INFO, logger="claimdesk.outbox"):
        assert deliver_pending(factory) == 1  # default senders: LogSender for sms
    assert deliver_pending(factory) == 0
    with factory() as session:
        message = session.get(OutboxMessage, message_id)
        assert (message.status, message.attempts, message.last_error) == ("sent", 1, None)
        assert message.sent_at is not None and message.related_id == "1"
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "claimdesk.outbox")
    assert f"outbox message {message_id} sent via sms to 138****8000" in logged
    assert "13800138000" not in logged  # the phone number is personal data


def test_dedupe_key_makes_one_message_per_business_event(db):  # SPEC CLM-P5
    first = _sms(db, 1, dedupe_key="claim:1:reported")
    again = _sms(db, 2, dedupe_key="claim:1:reported")
    assert first is not None and again is None
    assert len(db.scalars(select(OutboxMessage)).all()) == 1


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"channel": "fax", "recipient": "010-1234"}, "channel"),
        ({"channel": "sms", "recipient": "  "}, "recipient"),
    ],
)
def test_bad_message_is_refused_naming_the_field(db, fields, error_field):  # SPEC GEN-6
    with pytest.raises(outbox.ValidationFailed) as caught:
        send_message(db, template="t", body="b", **fields)
    assert caught.value.field == error_field
    assert field_in(error_field, "zh-CN") in caught.value.message("zh-CN")
    assert db.scalars(select(OutboxMessage)).all() == []
    assert isinstance(UnknownChannel(field="channel").message("en"), str)


def test_failed_send_is_retried_later_then_given_up(factory, monkeypatch):
    with unit_of_work(factory) as session:
        message_id = _sms(session).id
    now = utcnow()
    assert deliver_pending(factory, senders=_senders(Recorder(fail=True)), now=now) == 0
    with factory() as session:
        message = session.get(OutboxMessage, message_id)
        assert (message.status, message.attempts) == ("pending", 1)
        assert "gateway unreachable" in message.last_error
        assert message.next_attempt_at >= now + dt.timedelta(seconds=30)
    # Not due again yet.
    assert deliver_pending(factory, senders=_senders(Recorder(fail=True)), now=now) == 0
    with factory() as session:
        assert session.get(OutboxMessage, message_id).attempts == 1
    monkeypatch.setattr(outbox, "MAX_ATTEMPTS", 3)
    for hours in (2, 4):
        deliver_pending(
            factory, senders=_senders(Recorder(fail=True)), now=now + dt.timedelta(hours=hours)
        )
    with factory() as session:
        assert session.get(OutboxMessage, message_id).status == "failed"
    recorder = Recorder()
    assert deliver_pending(factory, senders=_senders(recorder), now=now + dt.timedelta(days=1)) == 0


def test_mask_recipient():  # SPEC SEC-1
    assert mask_recipient("13800138000") == "138****8000"
    assert mask_recipient("zhang.san@example.com") == "z***@example.com"
    assert mask_recipient("110") == "****"


class _Collect:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(monkeypatch):
    handler = _Collect()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("CLAIMDESK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CLAIMDESK_SMTP_PORT", str(port))
    monkeypatch.setenv("CLAIMDESK_SMTP_SENDER", "lipei@insurer.example")
    reset_settings_cache()
    yield handler, port
    controller.stop()
    monkeypatch.undo()
    reset_settings_cache()


def test_email_goes_through_a_real_smtp_server(factory, smtp_server):  # SPEC CLM-V3, SVC-2
    handler, _ = smtp_server
    with unit_of_work(factory) as session:
        send_message(
            session,
            channel="email",
            recipient="zhang.san@example.com",
            template="claim.rejection_notice",
            subject="拒赔通知书",
            body="尊敬的客户：您的理赔申请……如有异议可申请复核。",
            related_type="claim",
            related_id=42,
        )
    assert deliver_pending(factory) == 1  # default senders: SMTP because smtp_host is set
    assert deliver_pending(factory) == 0
    assert len(handler.envelopes) == 1
    envelope = handler.envelopes[0]
    assert envelope.mail_from == "lipei@insurer.example"
    assert envelope.rcpt_tos == ["zhang.san@example.com"]
    mail = message_from_bytes(envelope.content)
    assert str(make_header(decode_header(mail["Subject"]))) == "拒赔通知书"
    assert "如有异议可申请复核" in mail.get_payload(decode=True).decode("utf-8")


def test_worker_cli_delivers_the_outbox(fresh_db_url, factory, smtp_server):  # SPEC CLM-R3
    handler, port = smtp_server
    with unit_of_work(factory) as session:
        send_message(
            session,
            channel="email",
            recipient="li.si@example.com",
            template="t",
            subject="hello",
            body="正文",
        )
        message_id = _sms(session).id
    env = {
        **os.environ,
        "CLAIMDESK_DATABASE_URL": fresh_db_url,
        "CLAIMDESK_KEYS": os.environ["CLAIMDESK_KEYS"],
        "CLAIMDESK_SMTP_HOST": "127.0.0.1",
        "CLAIMDESK_SMTP_PORT": str(port),
    }
    done = subprocess.run(
        [sys.executable, "-m", "claimdesk.cli", "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert "worker done:" in done.stdout and "2 messages" in done.stdout
    assert [e.rcpt_tos for e in handler.envelopes] == [["li.si@example.com"]]
    with factory() as session:
        assert session.get(OutboxMessage, message_id).status == "sent"


@pytest.mark.postgres_only
def test_two_workers_deliver_each_message_exactly_once(factory):  # SPEC CLM-P5
    with unit_of_work(factory) as session:
        for n in range(60):
            _sms(session, n)
    recorder = Recorder(delay=0.005)  # slow enough that both workers are busy together
    totals = []

    def work():
        totals.append(deliver_pending(factory, senders=_senders(recorder), limit=1000))

    run_in_threads([work, work])
    counts = Counter(recorder.sent)
    assert len(counts) == 60 and set(counts.values()) == {1}
    assert sum(totals) == 60 and all(t > 0 for t in totals)
    with factory() as session:
        assert set(session.scalars(select(OutboxMessage.status)).all()) == {"sent"}
