"""The building blocks of the claim page's action forms: fields, forms, the parsing of
what a person types (percentages, optional amounts) and how a refusal finds its field.

A form is a list of :class:`FormField`; a field may depend on another field's value
(``when``), so one form can carry a fieldset per coverage type and show the right one.
Refusals come from the same API handlers and services as the JSON API; the page only
translates a field path of the API body (``repair.materials``) into the form field that
fed it, so that the message is shown next to that field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from claimdesk import formatting
from claimdesk.auth.permissions import Permission
from claimdesk.auth.principal import Principal
from claimdesk.claims.config import rules
from claimdesk.claims.intake.acceptance import store_upload
from claimdesk.claims.settlement.liability import OutOfCover
from claimdesk.errors import ClaimdeskError, PermissionDenied, ValidationFailed
from claimdesk.field_labels import field_label
from claimdesk.i18n import _, current_language, gettext
from claimdesk.models.claim import Claim

Values = dict[str, Any]
When = Mapping[str, tuple[str, ...]]

# The API schema modules a textarea's ``limit`` names (kit.max_length references).
CS = "claims.schemas"
PS = "payments.schemas"
SS = "claims.special.schemas"
AS = "claims.automatic.schemas"


@dataclass
class FormField:
    name: str
    label: str  # msgid
    # text, textarea, number, select, date, checkbox, hidden, file, info, warning (a
    # notice before the choices, label as a badge and value as its sentence)
    kind: str = "text"
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, msgid/label)
    value: str = ""
    step: str | None = None
    minimum: str | None = None
    help: str | None = None  # msgid
    # Shown (and submitted) only while every named control holds one of the values.
    when: When | None = None
    # The API body path this field feeds: a refusal naming that path lands here.
    binds: str | None = None
    # A select whose value shows and hides the fieldsets that depend on it.
    controls: bool = False
    # Changing this field re-renders the form with what was typed (e.g. a look-up).
    refresh: bool = False
    accept: str | None = None  # file inputs: the types offered by the picker
    maximum: str | None = None
    # A link shown under the field: (href, msgid), e.g. to register a missing payee.
    link: tuple[str, str] | None = None
    # kind "rows": any number of rows of these fields; row n's inputs are named
    # f"{name}{n}_{column.name}", a column's label a msgid with %(n)s (issue 12).
    columns: list[FormField] = field(default_factory=list)
    # kind "rows": the column summed into the running total (rows ticked in
    # ``total_skip`` are left out, e.g. removed expense lines).
    total_of: str | None = None
    total_skip: str | None = None
    # kind "textarea": the API schema field the text goes to, as a kit.max_length
    # reference ("claims.schemas:AcceptIn.reason"); the browser stops the typing at that
    # field's max_length (GEN-6) — one fixed maxlength cut texts the API takes at 4,000
    # characters at 2,000.
    limit: str | None = None

    def __post_init__(self) -> None:
        if self.kind == "textarea" and not self.limit:
            raise ValueError(f"textarea {self.name!r} names no schema limit")

    def row_numbers(self, values: Values) -> list[int]:
        """The rows typed so far (by the number in their names) and one blank row."""
        pattern = re.compile(rf"^{re.escape(self.name)}(\d+)_")
        used = sorted(
            {
                int(m.group(1))
                for key, value in values.items()
                if (m := pattern.match(key)) and isinstance(value, str) and value.strip()
            }
        )
        return [*used, (used[-1] if used else 0) + 1]

    def input_name(self, n: int | str, column: FormField) -> str:
        return f"{self.name}{n}_{column.name}"

    def column_label(self, column: FormField, n: int | str) -> str:
        return _(column.label, n=n)

    def total(self, values: Values) -> Decimal:
        """What the rows typed so far add up to (what the server reads; the page's
        script keeps a running total while typing)."""
        total = Decimal("0")
        if self.total_of is None:
            return total
        for n in self.row_numbers(values):
            if self.total_skip and values.get(f"{self.name}{n}_{self.total_skip}"):
                continue
            raw = str(values.get(f"{self.name}{n}_{self.total_of}") or "").strip()
            try:
                amount = Decimal(raw) if raw else Decimal("0")
            except InvalidOperation:
                continue
            if amount.is_finite() and amount > 0:
                total += amount
        return total.quantize(Decimal("0.01"))


Handler = Callable[[Session, Principal, Claim, Values], object]
Fields = Callable[[Session, Claim], list[FormField]]
DynamicFields = Callable[[Session, Claim, Values, Principal | None], list[FormField]]
Availability = Callable[[Session, Claim], bool]


@dataclass
class ActionForm:
    action: str
    label: str  # msgid
    permission: Permission
    states: tuple[str, ...]
    fields: Fields
    handle: Handler
    primary: bool = True
    # Fields that depend on what was typed so far (refresh); takes precedence.
    dynamic: DynamicFields | None = None
    # A further condition for offering the action (an open flag, an open callback...).
    available: Availability | None = None

    def build(
        self, db: Session, claim: Claim, values: Values, actor: Principal | None = None
    ) -> list[FormField]:
        if self.dynamic is not None:
            return self.dynamic(db, claim, values, actor)
        return self.fields(db, claim)


def out_of_cover_warning(gap: OutOfCover | None, *, then: str) -> list[FormField]:
    """The warning of a loss the policy did not cover, above the choice it bears on: in
    the queue badge's words, with the termination's day or the period (the loss date
    against it), and ``then`` (a msgid): what pressing the button would meet."""
    if gap is None:
        return []
    if gap.terminated_on is not None:
        day = formatting.local_date(gap.terminated_on)
        badge = _("Policy terminated from %(day)s", day=day)
        why = _(
            "The date of loss, %(loss)s, is on or after the day the policy's termination "
            "took effect (%(day)s)",
            loss=formatting.local_date(gap.loss_date),
            day=day,
        )
    else:
        badge = _("Outside the policy period")
        why = _(
            "The date of loss, %(loss)s, is outside the policy period (%(start)s to %(end)s)",
            loss=formatting.local_date(gap.loss_date),
            start=formatting.local_date(gap.start),
            end=formatting.local_date(gap.end),
        )
    return [FormField("cover_warning", badge, "warning", value=why, help=then)]


# -- refusals of the page's own parsing ---------------------------------------------------


class PercentInvalid(ValidationFailed):
    code = "percent_invalid"
    message_zh = "{field}：应为 0 到 100 之间的百分比"
    message_en = "{field}: a percentage between 0 and 100 is needed"


class ChoiceRequired(ValidationFailed):
    code = "choice_required"
    message_zh = "{field}：请选择一项"
    message_en = "{field}: choose one"


class ActionNotOffered(PermissionDenied):
    """The claim page does not offer this action to this user now: most often a form
    left open while the claim moved on (a colleague acted first, a second tab, the back
    button), so the refusal says so instead of only "your role may not"."""

    code = "action_not_offered"
    message_zh = "此操作现在不能对本案件执行：案件状态已变化、已有人处理，或您的角色无此权限。请刷新案件页面查看最新情况"
    message_en = (
        "This action cannot be taken on this claim now: its state has changed, someone has "
        "already acted, or your role may not. Reload the claim to see where it stands"
    )


class FormInvalid(Exception):
    """A pydantic refusal of a page body, with the form field each API path came from."""

    def __init__(self, error: ValidationError, aliases: dict[str, str]) -> None:
        super().__init__(str(error))
        self.errors = error.errors()
        self.aliases = aliases


@contextmanager
def aliased(aliases: dict[str, str]) -> Iterator[None]:
    """Refusals raised inside name API paths; ``aliases`` maps them to form fields."""
    try:
        yield
    except ValidationError as exc:
        raise FormInvalid(exc, aliases) from exc
    except ClaimdeskError as exc:
        if exc.field in aliases:
            exc.form_field = aliases[exc.field]  # type: ignore[attr-defined]
        raise


def validated(schema: type[BaseModel], data: Values) -> Any:
    return schema.model_validate(data)


def text(form: Values, name: str) -> str | None:
    value = form.get(name)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def percent(form: Values, name: str, *, default: str | None = None) -> Decimal | None:
    """A percentage typed as 0..100 → the fraction the API takes (60 → 0.6)."""
    raw = text(form, name) or default
    if raw is None:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise PercentInvalid(field=name) from None
    if not value.is_finite() or not Decimal("0") <= value <= Decimal("100"):
        raise PercentInvalid(field=name)
    return value / 100


# -- what the template needs ---------------------------------------------------------------


@dataclass
class FieldGroup:
    when: When | None
    hidden: bool
    fields: list[FormField]

    @property
    def when_json(self) -> str:
        return json.dumps(dict(self.when or {}), ensure_ascii=False)


def current_values(fields: list[FormField], values: Values) -> dict[str, str]:
    """What each field holds now: what was typed, else its default."""
    return {f.name: str(values.get(f.name, f.value) or "") for f in fields}


def _shown(when: When | None, shown: dict[str, str]) -> bool:
    return when is None or all(shown.get(name) in allowed for name, allowed in when.items())


def groups(fields: list[FormField], values: Values) -> list[FieldGroup]:
    """Consecutive fields with the same condition share a fieldset; a fieldset whose
    condition does not hold is hidden and disabled (its fields are not submitted)."""
    now = current_values(fields, values)
    visible: dict[str, str] = {}
    out: list[FieldGroup] = []
    for f in fields:
        if out and out[-1].when == f.when:
            group = out[-1]
        else:
            group = FieldGroup(f.when, not _shown(f.when, visible), [])
            out.append(group)
        group.fields.append(f)
        if not group.hidden:
            visible[f.name] = now[f.name]
    return out


def error_target(error: dict[str, Any] | None, fields: list[FormField]) -> str | None:
    """The form field a refusal is about, or None (then it is shown above the form)."""
    if not error:
        return None
    explicit = error.get("form_field")
    names = {f.name for f in fields} | {
        f"{f.name}{n}_{c.name}"
        for f in fields
        if f.kind == "rows" and explicit
        for c in f.columns
        for n in _row_number(f.name, str(explicit))
    }
    if explicit in names:
        return str(explicit)
    path = str(error.get("field") or "")
    if not path:
        return None
    for f in fields:
        if path in (f.name, f.binds) or path.startswith(f.name + "."):
            return f.name
    for f in fields:
        if f.binds and path.startswith(f.binds + "."):
            return f.name
    tail = path.split(".")[-1]
    for f in fields:
        if f.name.endswith("__" + tail):
            return f.name
    return None


def _row_number(prefix: str, name: str) -> list[int]:
    found = re.match(rf"^{re.escape(prefix)}(\d+)_", name)
    return [int(found.group(1))] if found else []


def _label_of(fields: list[FormField], target: str) -> str:
    """The label the person sees for a field, or for one input of a row."""
    for f in fields:
        if f.name == target:
            return gettext(f.label)
        if f.kind == "rows":
            for n in _row_number(f.name, target):
                for c in f.columns:
                    if f.input_name(n, c) == target:
                        return f.column_label(c, n)
    return target


def name_the_field(error: dict[str, Any], fields: list[FormField], target: str | None) -> None:
    """Say the field's label (as the person sees it) instead of the API path."""
    if target is None:
        return
    label = _label_of(fields, target)
    path = str(error.get("field") or "")
    message = str(error.get("message") or "")
    # The error base already says a generic label for the path (field_labels); the form's
    # own label is what the person sees beside the field, so that one is said.
    generic = field_label(path, current_language.get()) if path else None
    if generic and message.startswith(generic):
        error["message"] = f"“{label}”" + message[len(generic) :]
    elif path and path in message:
        error["message"] = message.replace(path, f"“{label}”", 1)
    elif target in message:
        error["message"] = message.replace(target, f"“{label}”", 1)


# -- uploads made through a form -----------------------------------------------------------

TRIAL = "_trial"  # set in the values of a trial run while typing: nothing is stored
UPLOAD_ACCEPT = "application/pdf,image/jpeg,image/png,image/heic"


def upload_in(form: Values, name: str) -> Any:
    """The uploaded file of field ``name`` (starlette's UploadFile), or None if none chosen."""
    upload = form.get(name)
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        return None
    return upload


def store_file(
    db: Session,
    actor: Principal,
    claim: Claim,
    form: Values,
    name: str,
    *,
    purpose: str,
    material_code: str | None = None,
) -> int | None:
    """Store the file chosen in field ``name`` on the claim (the same checks as the API
    upload: type sniffed, size limit); None when no file was chosen or on a trial run."""

    upload = upload_in(form, name)
    if upload is None or form.get(TRIAL):
        return None
    content = upload.file.read(rules().upload_max_bytes + 1)
    try:
        stored = store_upload(
            db,
            actor=actor,
            claim=claim,
            filename=upload.filename or "upload",
            content=content,
            material_code=material_code,
            purpose=purpose,
        )
    except ClaimdeskError as exc:
        if exc.field == "file":
            exc.form_field = name  # type: ignore[attr-defined]
        raise
    return stored.id
