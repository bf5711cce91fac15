"""The TAXII 2.1 server's rules: which collections a partner sees, pages of a collection,
and the opinions and sightings partners post.

Visibility (TLP 2.0): a partner's ``share`` key sees a shared bank's collection when the
bank is TLP:CLEAR or TLP:GREEN, or TLP:AMBER / TLP:AMBER+STRICT and the bank's owner is
among the key's ``partner_of``. TLP:RED is never served, whatever the bank's flag says.
A collection a partner may not see answers as if it did not exist.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accord.errors import AccordError, BadRequest, NotFound, PayloadTooLarge, StixError
from accord.server.auth.keys import partner_of
from accord.server.banks import service as banks
from accord.server.banks.schemas import OPEN_MARKINGS, Marking
from accord.server.taxii.models import TaxiiStatus
from accord.server.taxii.query import ObjectQuery
from accord.server.taxii.schemas import MAX_OBJECT_BYTES, MAX_POSTED_OBJECTS, Page
from accord.sharing import stix

if TYPE_CHECKING:
    from accord.server.banks.models import Bank, SharedObject

#: Markings only partners of the owner may read (any ``share`` key reads
#: ``OPEN_MARKINGS``).
PARTNER_MARKINGS = frozenset({Marking.AMBER.value, Marking.AMBER_STRICT.value})
#: The properties STIX 2.1 gives the objects partners post: what a validator would refuse
#: is refused here, so what the publisher keeps is STIX it can show or audit.
_COMMON = frozenset(
    {"type", "spec_version", "id", "created_by_ref", "created", "modified", "revoked"}
    | {"labels", "confidence", "lang", "external_references", "object_marking_refs"}
)
_PROPERTIES: Mapping[str, frozenset[str]] = {
    "opinion": _COMMON | {"explanation", "authors", "opinion", "object_refs"},
    "sighting": _COMMON
    | {"description", "summary", "first_seen", "last_seen", "count", "sighting_of_ref"}
    | {"observed_data_refs", "where_sighted_refs"},
}


def can_see(bank: Bank, owners: frozenset[str]) -> bool:
    """The TLP rule: whether a key that is a partner of ``owners`` may read ``bank``."""
    if not bank.shared or bank.marking == Marking.RED.value:
        return False
    if bank.marking in OPEN_MARKINGS:
        return True
    return bank.marking in PARTNER_MARKINGS and banks.owner_of(bank) in owners


def visible_collections(session: Session, partner: str) -> list[Bank]:
    owners = partner_of(session, partner)
    return [bank for bank in banks.shared_banks(session) if can_see(bank, owners)]


def visible_collection(session: Session, partner: str, collection_id: str) -> Bank:
    """The bank served as ``collection_id`` if ``partner`` may see it; ``NotFound`` for
    one it may not, worded as for one that does not exist."""
    bank = banks.shared_bank(session, collection_id)
    if bank is None or not can_see(bank, partner_of(session, partner)):
        raise NotFound(f"no collection {collection_id[:100]!r} here")
    return bank


def objects_page(session: Session, bank: Bank, query: ObjectQuery) -> Page:
    """The page of ``bank``'s collection ``query`` asks for, oldest first."""
    if not query.spec_version_matches:
        return Page(rows=[], more=False)
    found = banks.collection_page(
        session,
        bank,
        limit=query.limit,
        after_id=query.after_id,
        added_after=query.added_after,
        types=query.types,
        ids=query.ids,
        versions=query.versions or (),
    )
    last = found.objects[-1].id if found.objects else query.after_id
    return Page(rows=found.objects, more=found.more, position=last)


def collection_object(session: Session, bank: Bank, stix_id: str) -> SharedObject:
    found = banks.collection_object(session, bank, stix_id)
    if found is None:
        raise NotFound(f"the collection {bank.collection_id} has no object {stix_id[:100]!r}")
    return found


def object_versions(session: Session, bank: Bank, stix_id: str, query: ObjectQuery) -> Page:
    """The versions of ``stix_id`` (its latest, the one kept) that ``query`` admits."""
    row = collection_object(session, bank, stix_id)
    admitted = (
        query.spec_version_matches
        and row.id > query.after_id
        and (query.added_after is None or row.date_added > query.added_after)
    )
    return Page(rows=[row] if admitted else [], more=False, position=row.id)


def read_envelope(body: bytes) -> list[Any]:
    """The objects of a posted TAXII envelope; ``BadRequest`` when it is not one."""
    try:
        envelope = json.loads(body, parse_constant=_refuse_constant)
    except RecursionError:
        raise BadRequest("the body nests too deeply to be a TAXII envelope") from None
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError both are
        raise BadRequest(f"the body is not JSON: {error}") from None
    if not isinstance(envelope, Mapping) or "objects" not in envelope:
        raise BadRequest('the body must be a TAXII envelope: {"objects": [...]}')
    objects = envelope["objects"]
    if not isinstance(objects, list) or not objects:
        raise BadRequest("the envelope's objects must be a list of at least one STIX object")
    if len(objects) > MAX_POSTED_OBJECTS:
        raise PayloadTooLarge(
            f"the envelope holds {len(objects)} objects; post at most {MAX_POSTED_OBJECTS} at once"
        )
    return objects


def add_objects(session: Session, bank: Bank, partner: str, objects: Sequence[Any]) -> TaxiiStatus:
    """Record each opinion and sighting ``partner`` posted to ``bank``'s collection; an
    object refused is a failure in the status, and costs the others nothing."""
    successes: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for position, body in enumerate(objects, start=1):
        try:
            with session.begin_nested():  # a refusal undoes that object's writes only
                successes.append(_add_one(session, bank, partner, body))
        except AccordError as error:
            failures.append(_failure(body, position, error.detail))
        except IntegrityError:
            failures.append(_failure(body, position, "posted twice at once; post it again"))
    status = TaxiiStatus(
        id=str(uuid.uuid4()),
        bank_id=bank.id,
        posted_by=partner,
        total_count=len(objects),
        successes=successes,
        failures=failures,
    )
    session.add(status)
    session.flush()
    return status


def read_status(session: Session, partner: str, status_id: str) -> TaxiiStatus:
    """A status, to the key that posted its objects only."""
    status = session.get(TaxiiStatus, status_id[:36])
    if status is None or status.posted_by != partner or status.id != status_id:
        raise NotFound(f"no status {status_id[:100]!r} here")
    return status


def _add_one(session: Session, bank: Bank, partner: str, body: Any) -> dict[str, Any]:
    kind = stix.object_type(body)
    stix.check_text(body, "the object")
    if len(json.dumps(body, ensure_ascii=False).encode()) > MAX_OBJECT_BYTES:
        raise StixError(f"the object is over {MAX_OBJECT_BYTES} bytes as JSON")
    if kind not in _PROPERTIES:
        msg = (
            f"a collection takes only opinion and sighting objects from partners, not {kind!r}; "
            "entries change on the publisher's instance"
        )
        raise StixError(msg)
    unknown = sorted(set(body) - _PROPERTIES[kind])
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise StixError(f"STIX 2.1 defines no {kind} property {names[:200]}")
    if kind == "opinion":
        banks.record_opinion(session, bank, partner, stix.read_opinion(body))
    else:
        banks.record_sighting(session, bank, partner, stix.read_sighting(body))
    return {"id": body["id"], "version": _version(body)}


def _failure(body: Any, position: int, message: str) -> dict[str, Any]:
    """A status's failure: the object's id and version where it has them."""
    if isinstance(body, Mapping) and isinstance(body.get("id"), str):
        return {"id": body["id"][:200], "version": _version(body), "message": message}
    return {"id": "", "version": "", "message": f"object {position}: {message}"}


def _version(body: Mapping[str, Any]) -> str:
    version = body.get("modified") or body.get("created") or ""
    return version[:100] if isinstance(version, str) else ""


def _refuse_constant(name: str) -> Any:
    raise BadRequest(f"the body holds {name}, which JSON does not allow")
