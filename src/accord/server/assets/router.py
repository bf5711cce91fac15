"""Store uploaded media with its signals, and read it back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, UploadFile

from accord.errors import NotFound
from accord.server.assets import service
from accord.server.assets.schemas import AssetRead, to_asset_read
from accord.server.auth.guard import require
from accord.server.auth.keys import Scope
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.hashing.service import hash_path
from accord.server.uploads import spooled_to_disk

router = APIRouter(
    prefix="/v1/assets", tags=["assets"], dependencies=[Depends(require(Scope.CURATE))]
)

Sha256Path = Annotated[str, Path(pattern="^[0-9a-f]{64}$", description="SHA-256, lowercase hex")]


@router.post("", status_code=201, summary="Store a file and its signals")
def create_asset(file: UploadFile, runtime: RuntimeDep, session: SessionDep) -> AssetRead:
    settings = runtime.settings
    with spooled_to_disk(
        file.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
    ) as path:
        result = hash_path(runtime, path)
        asset = service.record_asset(session, runtime.blobs, path, result)
        return to_asset_read(asset)


@router.get("/{sha256}", summary="A stored file's signals")
def read_asset(sha256: Sha256Path, session: SessionDep) -> AssetRead:
    asset = service.get_asset(session, sha256)
    if asset is None:
        msg = f"no asset with SHA-256 {sha256}"
        raise NotFound(msg)
    return to_asset_read(asset)
