"""Journey (issue 12): a staff member opens a customer's uploaded PDF from the claim page
— shown by the browser itself, with its own type and the security headers intact — and
the read is on the claim's audit trail (SEC-5)."""

from __future__ import annotations

import io
from typing import Any

from tests.browser.conftest import LiveServer, login
from tests.browser.test_journey_staff_process import open_claim, report_by_hotline


def real_pdf(text: str = "Diagnosis certificate") -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_staff_member_opens_an_uploaded_pdf_and_the_read_is_audited(
    page: Any, live_server: LiveServer
) -> None:
    # SPEC SEC-5 (every access to personal data traced), SEC-9 (headers), CLM-A2
    claim_id, number = report_by_hotline(live_server, estimate="3000")
    content = real_pdf()
    with live_server.api("handler") as api:
        uploaded = api.post(
            f"/claims/{claim_id}/files",
            data={"purpose": "material"},
            files={"file": ("诊断证明.pdf", content, "application/pdf")},
        )
        assert uploaded.status_code == 201, uploaded.text
        file_id = uploaded.json()["id"]

    login(page, live_server, "handler")
    open_claim(page, live_server, number)
    link = page.locator(f"#files li[data-file='{file_id}'] a.file-view")
    assert link.inner_text() == "诊断证明.pdf"
    # The link opens a new tab; the browser gets the PDF itself, inline, under the CSP.
    with (
        page.context.expect_page() as opened,
        page.context.expect_event(
            "response", lambda r: f"/files/{file_id}/view" in r.url
        ) as answer,
    ):
        link.click()
    response = answer.value
    assert response.status == 200
    headers = response.all_headers()
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("inline;")
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    viewer = opened.value
    viewer.wait_for_load_state()
    # Shown in the tab by chromium's own PDF viewer (not saved as a download).
    assert viewer.url == f"{live_server.url}/claims/{claim_id}/files/{file_id}/view"
    assert b"application/pdf" in response.body()
    viewer.close()

    # The read is on the claim's trail, with who read it.
    page.reload()
    entry = page.locator("#timeline li[data-action='claim.file_viewed']")
    assert entry.count() == 1
    # Signed with the person's name (issue 12: people, not usernames).
    assert "在浏览器中查看文件" in entry.inner_text() and "张伟" in entry.inner_text()
