"""Exporting a product that has no version is a clear conflict, not a server error
(GEN-6: the export file needs at least one version, PRD-2)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders import login_headers, make_user


def test_export_of_a_product_without_a_version_is_409(db: Session, client: TestClient) -> None:
    # SPEC GEN-6 PRD-2
    make_user(db, username="padmin", roles=["administrator"])
    db.commit()
    admin = login_headers(client, "padmin")
    created = client.post(
        "/api/v1/products",
        json={"code": "EMPTY-1", "name": "空产品", "line": "health"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    product = created.json()
    exported = client.get(f"/api/v1/products/{product['id']}/export", headers=admin)
    assert exported.status_code == 409, exported.text
    error = exported.json()["error"]
    assert error["code"] == "product_has_no_version"
    assert "EMPTY-1" in error["message"] and "版本" in error["message"]
