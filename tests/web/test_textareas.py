"""Every textarea of every page stops the typing at the limit of the text it holds
(GEN-6): a text over the schema's ``max_length`` was refused by the server with
everything typed lost; the browser now stops at the same limit. Walks the templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import claimdesk
from claimdesk.web.kit import max_length, templates

TEMPLATES = Path(claimdesk.__file__).parent / "templates"
# A textarea written out in HTML, and one drawn by the admin macro.
TAG = re.compile(r"<textarea\b[^>]*>", re.S)
MACRO_CALL = re.compile(r"\{\{\s*textarea\((.*?)\)\s*\}\}", re.S)
REFERENCE = re.compile(r"""max_length\(["']([^"']+)["']\)""")
# The claim page's action forms draw their textareas from one template, each field with
# the limit its FormField names (tests/web/claims/test_action_form_limits.py checks that
# every one resolves to its schema field's max_length).
FIXED = {"claims/_action_form.html": 'maxlength="{{ max_length(f.limit) }}"'}


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def _tags() -> list[tuple[str, str]]:
    found = []
    for path in _templates():
        name = str(path.relative_to(TEMPLATES))
        text = path.read_text(encoding="utf-8")
        found += [(name, tag) for tag in TAG.findall(text)]
        found += [(name, "textarea(" + call + ")") for call in MACRO_CALL.findall(text)]
    return found


def test_the_walk_finds_the_textareas() -> None:
    names = {name for name, _tag in _tags()}
    assert {"admin/policy.html", "admin/complaint.html", "portal/service.html"} <= names
    assert len(_tags()) >= 40


@pytest.mark.parametrize(("name", "tag"), _tags())
def test_every_textarea_has_the_limit_of_its_schema(name: str, tag: str) -> None:
    # SPEC GEN-6: no textarea without a maxlength, each taken from where the limit is set
    if tag.startswith("<textarea") and "macros.html" in name:
        assert 'maxlength="{{ maxlength }}"' in tag, tag  # the macro draws what it is given
        return
    if name in FIXED:
        assert FIXED[name] in tag, tag
        return
    references = REFERENCE.findall(tag)
    assert len(references) == 1, f"{name}: {tag}"
    assert max_length(references[0]) > 0  # the field exists and sets a limit


def test_the_macro_draws_the_limit_it_is_given() -> None:
    # SPEC GEN-6: what a call passes is what the browser gets
    macro = templates.env.get_template("admin/macros.html").module.textarea  # type: ignore[attr-defined]
    assert 'maxlength="4000"' in str(macro("note", "Note", maxlength=4000))


def test_a_reference_resolves_to_the_schemas_limit() -> None:
    # SPEC GEN-6: the limit is the schema's own (an optional text's too), or a page's
    # form limit for a text it parses into a list
    from claimdesk.policies.schemas import StepIn
    from claimdesk.service.schemas import AcknowledgeIn

    assert max_length("service.schemas:AcknowledgeIn.progress_note") == 4000
    assert AcknowledgeIn.model_fields["progress_note"].metadata[-1].max_length == 4000
    assert max_length("policies.schemas:StepIn.note") == 2000  # str | None
    assert StepIn.model_fields["note"].metadata[-1].max_length == 2000
    assert max_length("web.admin.policies:Text") == 4000
    with pytest.raises(LookupError):
        max_length("service.schemas:ComplaintIn.claim_id")  # a number sets no length
