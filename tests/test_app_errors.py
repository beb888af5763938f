"""The error contract of the service (GEN-6): every failure is one JSON shape with the
field and a message in the caller's language, nothing is half-written, never a 500."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select

from claimdesk.deps import DB
from claimdesk.errors import ValidationFailed
from claimdesk.models.org import OrgUnit
from tests.builders import login_headers, make_user


def _add_probe_routes(app) -> None:  # type: ignore[no-untyped-def]
    router = APIRouter()

    @router.post("/api/v1/_probe/duplicate-unit")
    def duplicate(db: DB) -> dict[str, str]:
        db.add(OrgUnit(code="DUP", name="a", kind="branch"))
        db.flush()
        db.add(OrgUnit(code="DUP", name="b", kind="branch"))
        db.flush()
        return {"status": "unreachable"}

    @router.post("/api/v1/_probe/write-then-fail")
    def write_then_fail(db: DB) -> dict[str, str]:
        db.add(OrgUnit(code="HALF", name="half", kind="branch"))
        db.flush()
        raise ValidationFailed(field="probe")

    app.include_router(router)


def test_malformed_body_names_the_field_in_both_languages(db, client):  # SPEC GEN-6
    make_user(db, username="alice")
    db.commit()
    zh = client.post("/api/v1/auth/token", json={"username": "alice"})
    assert zh.status_code == 422
    assert zh.json()["error"]["field"] == "password"
    # The message names the field by its label, the path stays in "field" (issue 12).
    assert zh.json()["error"]["message"] == "密码：必填"
    en = client.post(
        "/api/v1/auth/token", json={"username": "alice"}, headers={"Accept-Language": "en"}
    )
    assert en.json()["error"]["message"].startswith("Password: ")


def test_not_json_at_all_is_a_clear_error_not_500(client):  # SPEC GEN-6
    broken = client.post(
        "/api/v1/auth/token", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 422
    assert broken.json()["error"]["field"] == "body"
    binary = client.post(
        "/api/v1/auth/token", content=b"\xff\xfe{", headers={"Content-Type": "application/json"}
    )
    assert binary.status_code == 400
    assert binary.json()["error"] == {
        "code": "malformed_body",
        "message": "请求体无法解析（编码或格式错误）",
        "field": "body",
    }


def test_unknown_api_route_is_json_404(client):  # SPEC GEN-6
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_constraint_violation_is_409_and_nothing_is_written(app, client, db):  # SPEC GEN-6
    _add_probe_routes(app)
    response = client.post("/api/v1/_probe/duplicate-unit")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "concurrent_change"
    assert db.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.code == "DUP")) == 0


def test_business_error_rolls_back_the_whole_request(app, client, db):  # SPEC GEN-6
    _add_probe_routes(app)
    response = client.post("/api/v1/_probe/write-then-fail")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "probe"
    assert db.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.code == "HALF")) == 0


def test_openapi_document_lists_the_api(client, db):
    make_user(db, username="bob")
    db.commit()
    login_headers(client, "bob")
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert "/api/v1/auth/token" in paths
    assert client.get("/api/v1/docs").status_code == 200
