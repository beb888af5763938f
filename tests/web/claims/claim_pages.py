"""Driving the claim page like a person does, over a TestClient: log in through the
forms, open an action's form, fill it (what the form already holds stays, as in a
browser), submit it, and read back what the page shows. No /api/v1 call."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.web.helpers import customer_login, staff_login


@dataclass
class Field:
    name: str
    kind: str  # input type, "select" or "textarea"
    value: str = ""
    required: bool = False
    checked: bool = False
    disabled: bool = False  # inside a hidden (disabled) fieldset: not submitted
    options: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: list[Field] = []
        self._disabled: list[bool] = []
        self._select: Field | None = None
        self._textarea: Field | None = None
        self._option: tuple[str, bool] | None = None
        self._option_text: list[str] = []
        self.errors: list[str] = []
        self._error_depth = 0
        self._error_text: list[str] = []

    def _off(self) -> bool:
        return any(self._disabled)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        names = dict(attrs)
        if tag == "fieldset":
            self._disabled.append("disabled" in names)
        elif tag == "input" and a.get("name"):
            self.fields.append(
                Field(
                    a["name"],
                    a.get("type", "text"),
                    a.get("value", ""),
                    "required" in names,
                    "checked" in names,
                    self._off(),
                )
            )
        elif tag == "select":
            self._select = Field(a["name"], "select", "", "required" in names, disabled=self._off())
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value", ""), "selected" in names)
            self._option_text = []
        elif tag == "textarea":
            self._textarea = Field(
                a["name"], "textarea", "", "required" in names, disabled=self._off()
            )
        elif tag == "p" and "error" in a.get("class", "").split():
            self._error_depth = 1
            self._error_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset" and self._disabled:
            self._disabled.pop()
        elif tag == "option" and self._option is not None and self._select is not None:
            value, selected = self._option
            self._select.options.append(value)
            self._select.labels.append("".join(self._option_text).strip())
            if selected:
                self._select.value = value
            self._option = None
        elif tag == "select" and self._select is not None:
            if not self._select.value and self._select.options:
                self._select.value = self._select.options[0]
            self.fields.append(self._select)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append(self._textarea)
            self._textarea = None
        elif tag == "p" and self._error_depth:
            self.errors.append("".join(self._error_text).strip())
            self._error_depth = 0

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option_text.append(data)
        elif self._textarea is not None:
            self._textarea.value += data
        if self._error_depth:
            self._error_text.append(data)


@dataclass
class PageForm:
    html: str
    fields: dict[str, Field]
    errors: list[str]

    def option_value(self, name: str, label_part: str) -> str:
        found = self.fields[name]
        for value, label in zip(found.options, found.labels, strict=True):
            if label_part in label:
                return value
        raise AssertionError(f"no option with {label_part!r} in {name}: {found.labels}")


def parse_form(html: str) -> PageForm:
    parser = _FormParser()
    parser.feed(html)
    return PageForm(html, {f.name: f for f in parser.fields}, parser.errors)


CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


class ClaimPages:
    """One browser: who is logged in, and the claim page's actions."""

    def __init__(self, client: TestClient, db: Session) -> None:
        self.client = client
        self.db = db

    def login(self, username: str) -> None:
        self.client.cookies.clear()
        self.client.headers.clear()
        staff_login(self.client, username)

    def login_customer(self, username: str, phone: str) -> None:
        self.client.cookies.clear()
        self.client.headers.clear()
        customer_login(self.client, self.db, username, phone)

    def page(self, claim_id: int) -> str:
        response = self.client.get(f"/claims/{claim_id}")
        assert response.status_code == 200, response.text
        return response.text

    def offered(self, claim_id: int) -> list[str]:
        return re.findall(r'id="open-([a-z_]+)"', self.page(claim_id))

    def open(self, claim_id: int, action: str) -> PageForm:
        response = self.client.get(f"/claims/{claim_id}/actions/{action}")
        assert response.status_code == 200, (action, response.status_code, response.text[:500])
        return parse_form(response.text)

    def refresh(self, claim_id: int, action: str, values: dict[str, Any]) -> PageForm:
        """Change a field that re-renders the form (who is paid, an ID number)."""
        form = self.open(claim_id, action)
        response = self.client.post(
            f"/claims/{claim_id}/actions/{action}?refresh=1", data=self._data(form, values)
        )
        assert response.status_code == 200, response.text
        return parse_form(response.text)

    @staticmethod
    def _data(form: PageForm, values: dict[str, Any], *, fill: bool = False) -> dict[str, str]:
        data: dict[str, str] = {}
        found = CSRF.search(form.html)
        assert found, "no csrf_token in the form"
        data["csrf_token"] = found.group(1)
        for f in form.fields.values():
            if f.disabled or f.kind == "file" or f.name == "csrf_token":
                continue
            if f.kind == "checkbox":
                if f.checked:
                    data[f.name] = f.value or "1"
            elif f.value:
                data[f.name] = f.value
            elif fill and f.required:
                # A required field the caller did not name: what a person would pick.
                data[f.name] = next((o for o in f.options if o), "") if f.options else "见记录"
        for name, value in values.items():
            if value is None or value is False:
                data.pop(name, None)
            else:
                data[name] = "1" if value is True else str(value)
        return data

    def submit(
        self,
        claim_id: int,
        action: str,
        values: dict[str, Any] | None = None,
        *,
        form: PageForm | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        fill: bool = False,
        validate: bool = False,
    ) -> Any:
        form = form or self.open(claim_id, action)
        data = self._data(form, values or {}, fill=fill)
        suffix = "?validate=1" if validate else ""
        return self.client.post(
            f"/claims/{claim_id}/actions/{action}{suffix}", data=data, files=files or None
        )

    def do(
        self, claim_id: int, action: str, values: dict[str, Any] | None = None, **kw: Any
    ) -> None:
        """Submit and insist that it was done (the page is told to reload)."""
        response = self.submit(claim_id, action, values, **kw)
        if response.headers.get("HX-Redirect") != f"/claims/{claim_id}?done={action}":
            errors = parse_form(response.text).errors
            raise AssertionError(f"{action} refused ({response.status_code}): {errors}")

    def refused(
        self, claim_id: int, action: str, values: dict[str, Any] | None = None, **kw: Any
    ) -> PageForm:
        """Submit and insist on a refusal shown in place: the form again, with the error."""
        response = self.submit(claim_id, action, values, **kw)
        assert response.status_code == 200, response.text
        assert "HX-Redirect" not in response.headers, f"{action} was done"
        form = parse_form(response.text)
        assert form.errors, response.text
        return form


def state_of(page: str) -> str:
    found = re.search(r'id="claim-state" data-state="([a-z_]+)"', page)
    assert found, "no state on the page"
    return found.group(1)


def shown(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', page)
    assert found, f"no #{element_id} on the page"
    return found.group(1).strip()


def timeline_actions(page: str, *, moves_only: bool = False) -> list[str]:
    pattern = (
        r'<li data-action="([a-z_.]+)" class="move"' if moves_only else r'data-action="([a-z_.]+)"'
    )
    return re.findall(pattern, page)


def missing_materials(page: str) -> list[str]:
    return re.findall(r'<li data-code="([a-z_]+)" class="missing"', page)
