"""API shapes of a claim's notes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Visibility = Literal["staff", "fraud"]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Annotated[str, Field(min_length=1, max_length=4000)]
    # "staff": every staff member who may read the claim; "fraud": investigators only.
    visibility: Visibility = "staff"


class NoteOut(BaseModel):
    id: int
    claim_id: int
    visibility: Visibility
    body: str
    author: str
    created_at: dt.datetime
