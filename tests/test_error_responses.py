"""Every API operation declares its error responses in the OpenAPI, in the one error
shape (GEN-6), so clients know what can go wrong; real errors have that shape."""

from __future__ import annotations

from fastapi.testclient import TestClient

from claimdesk.errors import ErrorResponse

REF = "#/components/schemas/ErrorResponse"


def test_every_operation_declares_the_error_responses(client: TestClient) -> None:
    # SPEC GEN-6
    spec = client.get("/api/v1/openapi.json").json()
    operations = [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if path.startswith("/api/v1/")
    ]
    assert len(operations) > 100
    for method, path, operation in operations:
        for status in ("401", "403", "404", "409", "422", "503"):
            declared = operation["responses"].get(status)
            assert declared, f"{method.upper()} {path} does not declare {status}"
            schema = declared["content"]["application/json"]["schema"]
            assert schema == {"$ref": REF}, (method, path, status)


def test_real_errors_have_the_declared_shape(client: TestClient) -> None:
    # SPEC GEN-6
    for response in (
        client.get("/api/v1/auth/me"),  # 401
        client.post("/api/v1/auth/token", json={}),  # 422 with details
        client.get("/api/v1/public/events/0/guide"),  # 404
    ):
        assert response.status_code in (401, 404, 422)
        ErrorResponse.model_validate(response.json())
