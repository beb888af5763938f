"""Page-test helpers: log in through the forms (with their CSRF tokens) on a TestClient,
and a bare request for the kit's functions."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request

from tests.builders import DEFAULT_PASSWORD

HIDDEN = re.compile(r'name="csrf_token" value="([^"]*)"')


def form_token(client: TestClient, path: str) -> str:
    found = HIDDEN.search(client.get(path).text)
    assert found, f"no csrf_token on {path}"
    return found.group(1)


def staff_login(client: TestClient, username: str, password: str = DEFAULT_PASSWORD) -> None:
    token = form_token(client, "/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def sms_code(db: Session, recipient: str) -> str:
    from claimdesk.models.job import OutboxMessage

    messages = db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.template == "portal.login_code")
        .order_by(OutboxMessage.id.desc())
    ).all()
    body = next(m.body for m in messages if m.recipient == recipient)
    return re.search(r"\b(\d{6})\b", body).group(1)  # type: ignore[union-attr]


def customer_login(
    client: TestClient, db: Session, username: str, phone: str, password: str = DEFAULT_PASSWORD
) -> None:
    token = form_token(client, "/portal/login")
    first = client.post(
        "/portal/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert first.status_code == 200 and 'id="code"' in first.text, first.text
    token = HIDDEN.search(first.text).group(1)  # type: ignore[union-attr]
    second = client.post(
        "/portal/login/code",
        data={"code": sms_code(db, phone), "csrf_token": token},
        follow_redirects=False,
    )
    assert second.status_code == 303, second.text


def change_through_pages(
    client: TestClient, change_id: int, *, agent: dict[str, str], approver: dict[str, str]
) -> None:
    """A policy change reviewed and completed by ``agent`` and approved by ``approver``
    (four eyes) on the policy page's forms (POL-2): each step redirects back."""
    for step, who, data in (
        ("review", agent, {"lawful": "yes", "note": "合法"}),
        ("approve", approver, {}),
        ("complete", agent, {}),
    ):
        moved = client.post(
            f"/admin/policies/changes/{change_id}/{step}",
            data=data,
            headers=who,
            follow_redirects=False,
        )
        assert moved.status_code == 303, (step, moved.text)


def bare_request(path: str, query: str = "", *, method: str = "GET") -> Request:
    """A request with no app or session behind it, for the kit's functions that read only
    its path and query string (the pager's links, ``?lang=``, ``?limit=``)."""
    scope = {
        "type": "http",
        "method": method,
        "scheme": "http",
        "server": ("testserver", 80),
        "path": path,
        "query_string": query.encode(),
        "headers": [],
    }
    return Request(scope)
