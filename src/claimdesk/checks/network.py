"""The network around a claim for fraud investigators (CLM-F3): claimants, phones, bank
accounts, providers and receipts, and the other claims they lead to within N hops.

A hop is one step from a claim through a shared attribute (person, phone, account,
receipt) to another claim. Providers are drawn but not walked through: a hospital links
every patient it treats, which says nothing by itself. Phones and accounts appear masked,
identified by the first 16 hex digits of their keyed hash (never the clear value).
"""

from __future__ import annotations

from typing import Any

import networkx as nx  # type: ignore[import-untyped]
from sqlalchemy.orm import Session

from claimdesk.checks import receipts, repository
from claimdesk.checks.schemas import NetworkEdge, NetworkNode, NetworkOut, NetworkSummary
from claimdesk.crypto.indexes import PURPOSE_PHONE
from claimdesk.crypto.keyring import blind_index
from claimdesk.models.claim import Claim
from claimdesk.models.person import Person
from claimdesk.rules.identity import mask_name, mask_phone

# A bound on what one read returns (and decrypts): past it the walk stops widening.
MAX_CLAIMS = 200


def _mask_phone(phone: str | None) -> str:
    return "***" if not phone or len(phone) < 7 else mask_phone(phone)


class _Builder:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.graph: nx.Graph = nx.Graph()
        self.people: set[int] = set()

    def node(self, node_id: str, kind: str, label: str, **data: Any) -> str:
        if node_id not in self.graph:
            self.graph.add_node(node_id, kind=kind, label=label, data=data)
        return node_id

    def claim(self, claim: Claim) -> str:
        return self.node(
            f"claim:{claim.id}", "claim", claim.number, state=claim.state, policy_id=claim.policy_id
        )

    def person(self, person: Person) -> str:
        self.people.add(person.id)
        return self.node(f"person:{person.id}", "person", mask_name(person.name))

    def expand(self, claim: Claim) -> set[int]:
        """Draw the claim's attributes; return the ids of the claims they lead to."""
        session, me = self.session, self.claim(claim)
        person = session.get_one(Person, claim.insured_person_id)
        p = self.person(person)
        self.graph.add_edge(me, p, kind="insured")
        linked: set[int] = set()
        for kind, key_hash in repository.claimant_hashes(session, claim=claim, person=person):
            label = self._contact_label(kind, key_hash, person, claim)
            contact = self.node(f"{kind}:{key_hash[:16]}", kind, label)
            self.graph.add_edge(p, contact, kind=kind)
            for other_id in repository.people_sharing(
                session, kind=kind, key_hash=key_hash, not_id=person.id
            ):
                other = session.get_one(Person, other_id)
                self.graph.add_edge(self.person(other), contact, kind=kind)
                linked |= self._claims_of(other_id)
        linked |= self._claims_of(person.id)
        for receipt in receipts.receipts_of_claim(session, claim.id):
            r = self.node(
                f"receipt:{receipt.receipt_code}/{receipt.number}",
                "receipt",
                f"{receipt.receipt_code}/{receipt.number}",
                total=str(receipt.total),
                issued_on=receipt.issued_on.isoformat(),
            )
            self.graph.add_edge(me, r, kind="receipt")
            prov = self.node(f"provider:{receipt.issuer}", "provider", receipt.issuer)
            self.graph.add_edge(me, prov, kind="treated_at")
            linked |= {
                x.claim_id
                for x in receipts.find_receipts(session, receipt.receipt_code, receipt.number)
            }
        linked.discard(claim.id)
        return linked

    def _claims_of(self, person_id: int) -> set[int]:
        return repository.claim_ids_of_insured(self.session, person_id=person_id)

    def _contact_label(self, kind: str, key_hash: str, person: Person, claim: Claim) -> str:
        if kind == "bank_account":
            last4 = repository.account_last4(self.session, key_hash=key_hash)
            return f"****{last4 or ''}"

        for phone in (person.phone, claim.contact_phone):
            if phone and blind_index(phone, PURPOSE_PHONE) == key_hash:
                return _mask_phone(phone)
        return "***"


def build_graph(session: Session, *, claim_id: int, hops: int = 2) -> tuple[nx.Graph, set[int]]:
    builder = _Builder(session)
    frontier, seen = {claim_id}, set[int]()
    for level in range(hops + 1):
        following: set[int] = set()
        for cid in sorted(frontier):
            if cid in seen or len(seen) >= MAX_CLAIMS:
                continue
            seen.add(cid)
            linked = builder.expand(session.get_one(Claim, cid))
            if level < hops:
                following |= linked - seen
        frontier = following
    # Claims reached at the last hop are drawn (without their own attributes).
    for cid in sorted(frontier - seen)[: max(MAX_CLAIMS - len(seen), 0)]:
        builder.claim(session.get_one(Claim, cid))
    _link_claims_to_people(builder)
    return builder.graph, builder.people


def _link_claims_to_people(builder: _Builder) -> None:
    claims = [n for n, d in builder.graph.nodes(data=True) if d["kind"] == "claim"]
    for node in claims:
        claim = builder.session.get_one(Claim, int(node.split(":", 1)[1]))
        person = f"person:{claim.insured_person_id}"
        if person in builder.graph:
            builder.graph.add_edge(node, person, kind="insured")


def _shared(graph: nx.Graph, kind: str, via: str) -> int:
    """Attribute nodes of ``kind`` tied to two or more nodes of kind ``via``."""
    count = 0
    for node, data in graph.nodes(data=True):
        if data["kind"] != kind:
            continue
        around = [n for n in graph.neighbors(node) if graph.nodes[n]["kind"] == via]
        count += len(around) >= 2
    return count


def to_out(graph: nx.Graph, *, claim_id: int, hops: int) -> NetworkOut:
    nodes = [
        NetworkNode(id=n, kind=d["kind"], label=d["label"], data=d["data"])
        for n, d in sorted(graph.nodes(data=True))
    ]
    edges = [
        NetworkEdge(source=a, target=b, kind=d["kind"])
        for a, b, d in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1]))
    ]
    me = f"claim:{claim_id}"
    component = nx.node_connected_component(graph, me) if me in graph else set()
    summary = NetworkSummary(
        connected_claims=sum(1 for n in component if graph.nodes[n]["kind"] == "claim") - 1,
        people=sum(1 for _, d in graph.nodes(data=True) if d["kind"] == "person"),
        shared_phones=_shared(graph, "phone", "person"),
        shared_accounts=_shared(graph, "bank_account", "person"),
        shared_providers=_shared(graph, "provider", "claim"),
        shared_receipts=_shared(graph, "receipt", "claim"),
    )
    return NetworkOut(claim_id=claim_id, hops=hops, nodes=nodes, edges=edges, summary=summary)
