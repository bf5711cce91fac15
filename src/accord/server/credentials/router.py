"""``POST /v1/credentials/verify``: a file's Content Credentials, checked and explained."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, UploadFile

from accord.server.auth.guard import require
from accord.server.auth.keys import Scope
from accord.server.credentials.tracing import verify_and_trace
from accord.server.deps import ServicesDep, SessionDep
from accord.server.uploads import spooled_to_disk

router = APIRouter(tags=["credentials"], dependencies=[Depends(require(Scope.HASH))])


@router.post(
    "/v1/credentials/verify",
    summary="Check a file's Content Credentials against this instance's trust anchors",
)
def verify_upload(file: UploadFile, services: ServicesDep, session: SessionDep) -> dict[str, Any]:
    """Trust anchors are this instance's issuers' roots and the configured trust lists;
    remote manifests are never fetched. The answer's ``state`` is trusted, valid, invalid,
    remote or none; ``headline`` says it in plain words. Unless the credentials are
    intact, ``originals`` lists files signed here that this one looks like."""
    settings = services.settings
    with spooled_to_disk(
        file.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
    ) as path:
        traced = verify_and_trace(services, session, path)
    return {"file": file.filename, **traced.to_json()}
