"""Tables of allowed state moves (GEN-5), without the database.

A :class:`Table` says, for one kind of entity, which states each state may move to.
``claimdesk.lifecycle.transition`` is the one service function that applies a move
(check, set, audit); this module only answers "is this move allowed?" and names the
refusal, a 409 in zh-CN and English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from claimdesk.errors import Conflict

S = TypeVar("S", bound=StrEnum)


class IllegalTransition(Conflict):
    """The entity's table has no move from its state to the one asked for."""

    code = "illegal_transition"
    message_zh = "{entity_zh}当前状态为 {state}，不能变为 {to}"
    message_en = "The {entity} is {state}; it cannot become {to}"


@dataclass(frozen=True)
class Table(Generic[S]):
    """The explicit moves of one entity: ``moves[state]`` is where it may go next.

    ``entity`` is also the audit entity type; ``field`` the state column's attribute."""

    entity: str
    entity_zh: str
    states: type[S]
    moves: Mapping[S, frozenset[S]]
    field: str = "status"

    def __post_init__(self) -> None:
        # A table that mentions an unknown state, or forgets one, is a programming error.
        known = set(self.states)
        mentioned = set(self.moves) | {t for ts in self.moves.values() for t in ts}
        if mentioned - known or known - mentioned:
            raise ValueError(f"{self.entity}: table and states differ")

    def allows(self, state: str, to: str) -> bool:
        try:
            return self.states(to) in self.moves.get(self.states(state), frozenset())
        except ValueError:
            return False

    def check(self, state: str, to: str) -> S:
        """The target member, or the refusal (nothing is changed by a refusal)."""
        if not self.allows(state, to):
            raise IllegalTransition(
                field=self.field, entity=self.entity, entity_zh=self.entity_zh, state=state, to=to
            )
        return self.states(to)

    def terminal(self) -> frozenset[S]:
        return frozenset(s for s in self.states if not self.moves.get(s))

    def describe(self) -> str:
        """One line per state with a way out, for docs/architecture.md."""
        return "; ".join(
            f"{s.value} → {', '.join(sorted(t.value for t in self.moves[s]))}"
            for s in self.states
            if self.moves.get(s)
        )


def moves(spec: Mapping[S, tuple[S, ...]]) -> dict[S, frozenset[S]]:
    """Shorthand for a table literal: state → targets."""
    return {state: frozenset(targets) for state, targets in spec.items()}
