"""Users, roles and org units for the administrator (SEC-4, SEC-8): the list, creating a
user, changing roles, deactivating and reactivating with a reason, and the org units
(created on the list, renamed — Chinese and English — on a unit's own page, with a
reason).
Every action is the API's auth/org service call under the API's permission; a refusal
(e.g. removing the last administrator) is shown beside its form and writes nothing."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.auth import service
from claimdesk.auth.permissions import ROLE_LABELS, Permission, Role
from claimdesk.auth.principal import Principal
from claimdesk.auth.schemas import RolesUpdate, StatusChange, UserCreate
from claimdesk.deps import DB, require
from claimdesk.errors import ValidationFailed
from claimdesk.org import service as org_service
from claimdesk.org.schemas import OrgUnitCreate, OrgUnitUpdate
from claimdesk.web.kit import (
    FormPage,
    Refusal,
    checked,
    common,
    form_action,
    form_context,
    language_of,
    page,
    page_request_of,
    pager,
    parse_id,
)

router = APIRouter(prefix="/admin")

Reader = Annotated[Principal, Depends(require(Permission.USERS_READ))]
Manager = Annotated[Principal, Depends(require(Permission.USERS_MANAGE))]
OrgReader = Annotated[Principal, Depends(require(Permission.ORG_READ))]
OrgManager = Annotated[Principal, Depends(require(Permission.ORG_MANAGE))]
Short = Annotated[str, Form(max_length=256)]
Roles = Annotated[list[str] | None, Form()]


class DeactivationNotConfirmed(ValidationFailed):
    code = "deactivation_not_confirmed"
    message_zh = "请勾选确认后再停用：停用后该用户不能再登录，其已登录的会话立即失效"
    message_en = (
        "Tick the confirmation to deactivate: the user can no longer log in and their "
        "open sessions end at once"
    )


def _role_names(request: Request) -> list[tuple[str, str]]:
    zh = language_of(request) == "zh-CN"
    return [(role.value, ROLE_LABELS[role][0 if zh else 1]) for role in Role]


def _users(
    request: Request,
    db: Session,
    actor: Principal,
    *,
    refusal: Refusal | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    # Paged (issue 12): an insurer has thousands of staff accounts.
    window = service.users_page(db, paging=page_request_of(request))
    listed = window.page_of(window.rows)
    return page(
        request,
        "admin/users.html",
        **form_context(refusal, values=values),
        users=listed.items,
        pager=pager(request, listed),
        units={
            u.id: formatting.name_in(u, language_of(request))
            for u in org_service.list_units(db, kind=None)
        },
        roles=_role_names(request),
        may_manage=actor.has(Permission.USERS_MANAGE),
        **common(request),
    )


@router.get("/users")
def users(request: Request, db: DB, actor: Reader) -> Response:
    return _users(request, db, actor)


@router.post("/users")
def create_user(
    request: Request,
    db: DB,
    actor: Manager,
    username: Short = "",
    display_name: Short = "",
    password: Short = "",
    org_unit_id: Short = "",
    roles: Roles = None,
) -> Response:
    values = {
        "username": username,
        "display_name": display_name,
        "org_unit_id": org_unit_id,
        "roles": roles or [],
    }

    def call() -> Any:
        body = UserCreate.model_validate(
            {
                "username": username.strip(),
                "display_name": display_name.strip() or None,
                "password": password,
                "roles": roles or [],
                "org_unit_id": parse_id(org_unit_id, "org_unit_id"),
            }
        )
        return service.create_user(
            db,
            actor=actor,
            username=body.username,
            password=body.password,
            roles=body.roles,
            display_name=body.display_name,
            org_unit_id=body.org_unit_id,
            person_id=None,
            language=body.language,
        )

    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _users(request, db, actor, refusal=refusal, values=values),
        redirect=lambda user: f"/admin/users/{user.id}",
    )


def _user(
    request: Request,
    db: Session,
    actor: Principal,
    user_id: int,
    *,
    refusal: Refusal | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    user = service.get_user(db, user_id=user_id)
    return page(
        request,
        "admin/user.html",
        **form_context(refusal, action=action, values=values),
        user=user,
        user_roles=service.role_names(user=user),
        roles=_role_names(request),
        may_manage=actor.has(Permission.USERS_MANAGE),
        **common(request),
    )


@router.get("/users/{user_id}")
def user_page(user_id: int, request: Request, db: DB, actor: Reader) -> Response:
    return _user(request, db, actor, user_id)


def _user_page(request: Request, db: Session, actor: Principal, user_id: int) -> FormPage:
    """The user's page, which the roles and status forms post back to."""
    return FormPage(
        request, db, partial(_user, request, db, actor, user_id), f"/admin/users/{user_id}"
    )


@router.post("/users/{user_id}/roles")
def set_roles(
    user_id: int, request: Request, db: DB, actor: Manager, roles: Roles = None, reason: Short = ""
) -> Response:
    def call() -> Any:
        body = RolesUpdate.model_validate({"roles": roles or [], "reason": reason})
        return service.set_roles(
            db, actor=actor, user_id=user_id, roles=body.roles, reason=body.reason
        )

    # The ticks as sent come back with a refusal (they were reset to the stored roles).
    values = {"reason": reason, "roles": roles or []}
    return _user_page(request, db, actor, user_id).act("roles", values, call)


@router.post("/users/{user_id}/deactivate")
def deactivate(
    user_id: int,
    request: Request,
    db: DB,
    actor: Manager,
    reason: Short = "",
    confirm: Short = "",
) -> Response:
    def call() -> Any:
        body = checked(StatusChange, {"reason": reason})
        # One click locked a colleague out and ended their sessions at once: the
        # administrator ticks the confirmation first (the reason is checked before).
        if confirm != "yes":
            raise DeactivationNotConfirmed(field="confirm")
        return service.deactivate_user(db, actor=actor, user_id=user_id, reason=body.reason)

    return _user_page(request, db, actor, user_id).act("status", {"reason": reason}, call)


@router.post("/users/{user_id}/reactivate")
def reactivate(
    user_id: int, request: Request, db: DB, actor: Manager, reason: Short = ""
) -> Response:
    return _user_page(request, db, actor, user_id).act(
        "status",
        {"reason": reason},
        lambda: service.reactivate_user(
            db,
            actor=actor,
            user_id=user_id,
            reason=checked(StatusChange, {"reason": reason}).reason,
        ),
    )


# --- org units -----------------------------------------------------------------------


def _units(
    request: Request,
    db: Session,
    actor: Principal,
    *,
    refusal: Refusal | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    return page(
        request,
        "admin/org_units.html",
        **form_context(refusal, values=values),
        units=org_service.list_units(db, kind=None),
        kinds=("head_office", "branch"),
        may_manage=actor.has(Permission.ORG_MANAGE),
        **common(request),
    )


@router.get("/org-units")
def org_units(request: Request, db: DB, actor: OrgReader) -> Response:
    return _units(request, db, actor)


@router.post("/org-units")
def create_unit(
    request: Request,
    db: DB,
    actor: OrgManager,
    code: Short = "",
    name: Short = "",
    name_en: Short = "",
    kind: Short = "",
    region_code: Short = "",
    parent_id: Short = "",
) -> Response:
    values = {
        "code": code,
        "name": name,
        "name_en": name_en,
        "kind": kind,
        "region_code": region_code,
        "parent_id": parent_id,
    }

    def call() -> Any:
        body = OrgUnitCreate.model_validate(
            {
                "code": code.strip(),
                "name": name.strip(),
                "name_en": name_en,
                "kind": kind,
                "region_code": region_code.strip() or None,
                "parent_id": parse_id(parent_id, "parent_id"),
            }
        )
        return org_service.create_unit(
            db,
            actor=actor,
            code=body.code,
            name=body.name,
            name_en=body.name_en,
            kind=body.kind,
            region_code=body.region_code,
            parent_id=body.parent_id,
        )

    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _units(request, db, actor, refusal=refusal, values=values),
        redirect="/admin/org-units",
    )


def _unit(
    request: Request,
    db: Session,
    actor: Principal,
    unit_id: int,
    *,
    refusal: Refusal | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    unit = org_service.get_unit(db, unit_id=unit_id)
    parent = org_service.get_unit(db, unit_id=unit.parent_id) if unit.parent_id else None
    shown = values if refusal is not None else None
    return page(
        request,
        "admin/org_unit.html",
        **form_context(refusal, values=shown),
        unit=unit,
        parent=parent,
        # The form starts from the stored values; after a refusal, from what was typed.
        form=shown
        or {
            "name": unit.name,
            "name_en": unit.name_en or "",
            "region_code": unit.region_code or "",
            "reason": "",
        },
        may_manage=actor.has(Permission.ORG_MANAGE),
        **common(request),
    )


@router.get("/org-units/{unit_id}")
def org_unit(unit_id: int, request: Request, db: DB, actor: OrgReader) -> Response:
    return _unit(request, db, actor, unit_id)


@router.post("/org-units/{unit_id}")
def update_unit(
    unit_id: int,
    request: Request,
    db: DB,
    actor: OrgManager,
    name: Short = "",
    name_en: Short = "",
    region_code: Short = "",
    reason: Short = "",
) -> Response:
    """The unit renamed (GEN-6) through the API's schema and service: an English name
    emptied on the form is removed (the Chinese name shows on English pages); a region
    code left empty keeps the stored one (the API cannot remove it either)."""
    values = {"name": name, "name_en": name_en, "region_code": region_code, "reason": reason}

    def call() -> Any:
        body = checked(
            OrgUnitUpdate,
            {
                "name": name,
                "name_en": name_en.strip() or None,
                "region_code": region_code.strip() or None,
                "reason": reason.strip(),
            },
        )
        return org_service.update_unit(
            db,
            actor=actor,
            unit_id=unit_id,
            reason=body.reason,
            name=body.name,
            name_en=body.name_en,
            region_code=body.region_code,
        )

    return form_action(
        request,
        db,
        call,
        refused=lambda refusal: _unit(request, db, actor, unit_id, refusal=refusal, values=values),
        redirect=f"/admin/org-units/{unit_id}",
    )
