"""TAXII 2.1 over HTTP: discovery at ``/taxii2/``, one API root ``/taxii2/accord/``, each
shared bank a collection under it.

Every answer (errors too) is ``application/taxii+json;version=2.1``: ``TaxiiRoute``
checks the ``Accept`` header first and turns every error into a TAXII error message.
Callers need an API key with the ``share`` scope, always: a partner is its key.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response

from accord.errors import AccordError, Forbidden, PayloadTooLarge, Unauthorized
from accord.server.auth.guard import admit
from accord.server.auth.keys import Scope
from accord.server.deps import RuntimeDep, SessionDep, SettingsDep
from accord.server.taxii import service
from accord.server.taxii.media import admits_taxii, is_taxii
from accord.server.taxii.models import TaxiiStatus
from accord.server.taxii.query import OBJECTS, ONE_OBJECT, VERSIONS, next_token, read_query
from accord.server.taxii.responses import error_response, taxii_error, taxii_response
from accord.server.taxii.schemas import (
    API_ROOT,
    MAX_CONTENT_LENGTH,
    PREFIX,
    TAXII_MEDIA_TYPE,
    Page,
    api_root_json,
    collection_json,
    collections_json,
    date_added_headers,
    discovery_json,
    envelope_bytes,
    manifest_json,
    status_json,
    versions_json,
)

logger = logging.getLogger("accord.server")


class TaxiiRoute(APIRoute):
    """A route answering TAXII's way: 406 for an ``Accept`` that refuses TAXII, and a
    TAXII error message (not problem+json) for every error, its writes rolled back."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            if not admits_taxii(request.headers.get("accept")):
                return taxii_error(
                    406, "Not acceptable", f"this server answers {TAXII_MEDIA_TYPE}; accept it"
                )
            try:
                return await handler(request)
            except AccordError as error:
                await _roll_back(request)
                return error_response(error)
            except RequestValidationError as error:
                await _roll_back(request)
                return taxii_error(400, "Bad request", str(error.errors())[:1000])
            except HTTPException as error:
                await _roll_back(request)
                return taxii_error(error.status_code, str(error.detail), str(error.detail))
            except Exception:
                logger.exception("unhandled error", extra={"path": request.url.path})
                await _roll_back(request)
                return taxii_error(
                    500, "Internal server error", "the server failed; the error was logged"
                )

        return answer


router = APIRouter(prefix=PREFIX, tags=["taxii"], route_class=TaxiiRoute)

API = f"/{API_ROOT}"
COLLECTION = f"{API}/collections/{{collection_id}}"
OBJECT = f"{COLLECTION}/objects/{{object_id}}"


async def share_partner(request: Request, runtime: RuntimeDep) -> str:
    """The partner calling: the name of its ``share`` key (a key is needed even where the
    rest of the API runs without one)."""
    caller = await admit(request, runtime, Scope.SHARE)
    if caller.key_name is None:
        raise Unauthorized("TAXII needs an API key with the 'share' scope: send a Bearer key")
    return caller.key_name


async def taxii_session(request: Request, session: SessionDep) -> Session:
    """The request's session, kept where ``TaxiiRoute`` finds it to roll back on error."""
    request.state.taxii_session = session
    return session


async def _roll_back(request: Request) -> None:
    # The error was answered here, so the session dependency sees none: undo its writes.
    session: Session | None = getattr(request.state, "taxii_session", None)
    if session is not None and session.in_transaction():
        await run_in_threadpool(session.rollback)


Partner = Annotated[str, Depends(share_partner)]
TaxiiSession = Annotated[Session, Depends(taxii_session)]


@router.get("/", summary="TAXII discovery: the API roots")
def discovery(request: Request, _partner: Partner, settings: SettingsDep) -> Response:
    base = settings.public_url or str(request.base_url).rstrip("/")
    return taxii_response(discovery_json(f"{base}{PREFIX}{API}/"))


@router.get(f"{API}/", summary="The API root")
def api_root(_partner: Partner) -> Response:
    return taxii_response(api_root_json())


@router.get(f"{API}/collections/", summary="The collections this key may read")
def collections(partner: Partner, session: TaxiiSession) -> Response:
    return taxii_response(collections_json(service.visible_collections(session, partner)))


@router.get(f"{COLLECTION}/", summary="One collection: a shared bank")
def collection(collection_id: str, partner: Partner, session: TaxiiSession) -> Response:
    return taxii_response(
        collection_json(service.visible_collection(session, partner, collection_id))
    )


@router.get(f"{COLLECTION}/objects/", summary="A page of a collection's STIX objects")
def get_objects(
    collection_id: str, request: Request, partner: Partner, session: TaxiiSession
) -> Response:
    return _envelope(_objects_page(collection_id, request, partner, session))


@router.post(f"{COLLECTION}/objects/", status_code=202, summary="Post opinions and sightings")
async def add_objects(
    collection_id: str, request: Request, partner: Partner, session: TaxiiSession
) -> Response:
    if not is_taxii(request.headers.get("content-type")):
        return taxii_error(
            415, "Unsupported media type", f"post a TAXII envelope as {TAXII_MEDIA_TYPE}"
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_CONTENT_LENGTH:
        raise PayloadTooLarge(_too_large())
    bank = await run_in_threadpool(service.visible_collection, session, partner, collection_id)
    body = await _read_body(request)

    def record() -> TaxiiStatus:
        return service.add_objects(session, bank, partner, service.read_envelope(body))

    return taxii_response(status_json(await run_in_threadpool(record)), 202)


@router.get(f"{OBJECT}/", summary="One object of a collection")
def get_object(
    collection_id: str, object_id: str, request: Request, partner: Partner, session: TaxiiSession
) -> Response:
    bank = service.visible_collection(session, partner, collection_id)
    service.collection_object(session, bank, object_id)
    query = read_query(request.query_params.multi_items(), ONE_OBJECT)
    return _envelope(
        service.objects_page(session, bank, replace(query, ids=frozenset([object_id])))
    )


@router.delete(f"{OBJECT}/", summary="Refused: entries are withdrawn by their publisher")
def delete_object(collection_id: str, partner: Partner, session: TaxiiSession) -> Response:
    service.visible_collection(session, partner, collection_id)
    raise Forbidden(
        "partners cannot delete objects: the publisher withdraws an entry on its own "
        "instance, and the collection then serves it revoked"
    )


@router.get(f"{OBJECT}/versions/", summary="The versions of an object (the latest is kept)")
def object_versions(
    collection_id: str, object_id: str, request: Request, partner: Partner, session: TaxiiSession
) -> Response:
    bank = service.visible_collection(session, partner, collection_id)
    query = read_query(request.query_params.multi_items(), VERSIONS)
    page = service.object_versions(session, bank, object_id, query)
    return taxii_response(versions_json(page.rows), headers=date_added_headers(page.rows))


@router.get(f"{COLLECTION}/manifest/", summary="A page of a collection's manifest")
def manifest(
    collection_id: str, request: Request, partner: Partner, session: TaxiiSession
) -> Response:
    page = _objects_page(collection_id, request, partner, session)
    body = manifest_json(page, next_token(page.position) if page.more else None)
    return taxii_response(body, headers=date_added_headers(page.rows))


@router.get(f"{API}/status/{{status_id}}/", summary="What became of posted objects")
def status(status_id: str, partner: Partner, session: TaxiiSession) -> Response:
    return taxii_response(status_json(service.read_status(session, partner, status_id)))


def _objects_page(collection_id: str, request: Request, partner: str, session: Session) -> Page:
    """The page of a collection the objects and manifest routes serve, as the query asks."""
    bank = service.visible_collection(session, partner, collection_id)
    query = read_query(request.query_params.multi_items(), OBJECTS)
    return service.objects_page(session, bank, query)


def _envelope(page: Page) -> Response:
    body = envelope_bytes(page, next_token(page.position) if page.more else None)
    return taxii_response(body, headers=date_added_headers(page.rows))


async def _read_body(request: Request) -> bytes:
    """The body, refused as soon as it passes ``MAX_CONTENT_LENGTH`` (a chunked body
    declares no length)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_CONTENT_LENGTH:
            raise PayloadTooLarge(_too_large())
        parts.append(chunk)
    return b"".join(parts)


def _too_large() -> str:
    return f"the body is over the API root's max_content_length of {MAX_CONTENT_LENGTH} bytes"


#: Every route above, to tell an unknown address (404) from a known one asked with
#: another method (405).
_KNOWN: list[tuple[re.Pattern[str], frozenset[str]]] = [
    (route.path_regex, frozenset(route.methods or ()))
    for route in router.routes
    if isinstance(route, APIRoute)
]


@router.api_route(
    "/{rest:path}",
    methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    include_in_schema=False,
)
def unknown(rest: str, request: Request) -> Response:
    """Anything else under ``/taxii2/``, answered as TAXII errors too."""
    path = f"{PREFIX}/{rest}"
    allowed = sorted(
        {method for regex, methods in _KNOWN if regex.match(path) for method in methods}
    )
    if allowed:
        return taxii_error(
            405,
            "Method not allowed",
            f"{request.method} is not allowed here; use {', '.join(allowed)}",
            {"Allow": ", ".join(allowed)},
        )
    if not path.endswith("/") and any(regex.match(f"{path}/") for regex, _ in _KNOWN):
        return taxii_error(404, "Not found", f"TAXII addresses end with a slash: {path}/")
    return taxii_error(404, "Not found", f"there is no TAXII resource at {path}")
