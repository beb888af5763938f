"""Who is making the request: the value every service receives as ``actor``."""

from __future__ import annotations

from dataclasses import dataclass, field

from claimdesk.auth.permissions import Permission, Role, permissions_for


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    username: str
    roles: frozenset[str]
    org_unit_id: int | None = None
    person_id: int | None = None
    ip: str | None = None
    language: str = "zh-CN"
    session_kind: str = "api"
    auth_method: str = "password"
    permissions: frozenset[Permission] = field(default=frozenset())
    # The person's name as staff and customers read it ("刘洋"); the
    # username is what they type to log in.
    display_name: str | None = None

    @classmethod
    def build(cls, **kwargs: object) -> Principal:
        roles = frozenset(str(r) for r in kwargs.pop("roles", frozenset()))  # type: ignore[attr-defined]
        return cls(roles=roles, permissions=permissions_for(roles), **kwargs)  # type: ignore[arg-type]

    @classmethod
    def system(cls, name: str = "system") -> Principal:
        """The worker and the CLI act as 'system' (no person), still audited."""
        return cls(user_id=None, username=name, roles=frozenset(), session_kind="system")

    def has(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def is_customer(self) -> bool:
        return self.roles == {Role.CUSTOMER.value}

    @property
    def label(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        """What a page shows for this person: their name, the username only without one."""
        return self.display_name or self.username
