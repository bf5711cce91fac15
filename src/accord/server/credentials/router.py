"""Content Credentials over HTTP: verify any file (and trace copies to their originals);
sign files for this instance's issuers."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Response, UploadFile

from accord.provenance.signing import parse_source_type
from accord.server.auth.guard import require
from accord.server.auth.keys import Scope
from accord.server.credentials.service import Signing, sign_for_issuer, verify_and_trace
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.uploads import spooled_to_disk

router = APIRouter(tags=["credentials"])


@router.post(
    "/v1/credentials/verify",
    dependencies=[Depends(require(Scope.HASH))],
    summary="Check a file's Content Credentials against this instance's trust anchors",
)
def verify_upload(file: UploadFile, runtime: RuntimeDep, session: SessionDep) -> dict[str, Any]:
    """Trust anchors are this instance's issuers' roots and the configured trust lists;
    remote manifests are never fetched. The answer's ``state`` is trusted, valid, invalid,
    remote or none, or revoked for intact credentials whose record this instance's issuer
    revoked (``revoked`` then gives the date and reason); ``headline`` says it in plain
    words. Unless the credentials are
    intact, ``originals`` lists files signed here that this one looks like. ``watermark``
    (null when a picture carries no accord watermark and its credentials declare none) says
    which record the invisible watermark names, and ``agreement`` whether the credentials
    declare the same one: agrees, original (an edit keeping its original's mark), differs,
    undeclared, missing (declared, not found) or no_credentials."""
    settings = runtime.settings
    with spooled_to_disk(
        file.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
    ) as path:
        traced = verify_and_trace(runtime, session, path)
    return {"file": file.filename, **traced.to_json()}


@router.post(
    "/v1/credentials/sign",
    dependencies=[Depends(require(Scope.CURATE))],
    summary="Sign a file for an issuer; the signed copy is the answer's body",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def sign_upload(
    file: UploadFile,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    issuer: Annotated[str, Form(description="The issuer that signs")],
    source_type: Annotated[
        str,
        Form(
            description=(
                "How the media came to be: a short name (camera, human-edits or human_edits, "
                "ai-generated, ...) or a C2PA digital source type (digitalCapture, humanEdits,"
                " trainedAlgorithmicMedia, ...)"
            )
        ),
    ] = "camera",
    title: Annotated[str | None, Form(max_length=500)] = None,
    parent: Annotated[
        UploadFile | None, Form(description="The original this file was edited from")
    ] = None,
) -> Response:
    """The signed copy comes back with its type; ``X-Accord-Record`` names its provenance
    record, ``X-Accord-Timestamped`` says whether a timestamp authority signed too,
    ``X-Accord-Watermark`` gives the payload of the picture's invisible watermark (absent
    when none was added), ``X-Accord-Not-Watermarked`` why a picture got none (too small,
    transparent, a palette, or the mark did not read back from the saved file), and
    ``X-Accord-Parent`` the record of the original that this file is an edit of (absent
    when none). ``source_type`` takes a short name (``camera``, ``human-edits`` or
    ``human_edits``) or a C2PA name (``digitalCapture``, ``humanEdits``). The signed copy
    is named ``NAME.signed.SUFFIX``, as ``accord sign`` names it."""
    settings = runtime.settings

    def spool(upload: UploadFile) -> AbstractContextManager[Path]:
        return spooled_to_disk(
            upload.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
        )

    with ExitStack() as stack:
        path = stack.enter_context(spool(file))
        original = stack.enter_context(spool(parent)) if parent else None
        kind = parse_source_type(source_type)
        signing = Signing(issuer, kind, title or file.filename, original)
        record, signed = sign_for_issuer(runtime, session, path, signing)
    return Response(
        signed.data,
        media_type=signed.mime,
        headers={
            "X-Accord-Record": record.id,
            "X-Accord-Timestamped": str(signed.timestamped).lower(),
            **({"X-Accord-Watermark": record.watermark} if record.watermark else {}),
            **({"X-Accord-Not-Watermarked": signed.unmarked} if signed.unmarked else {}),
            **({"X-Accord-Parent": record.parent_id} if record.parent_id else {}),
            "Content-Disposition": f'attachment; filename="{_download_name(file.filename)}"',
        },
    )


def _download_name(uploaded: str | None) -> str:
    """``<stem>.signed<suffix>``, as ``accord sign`` names it, with only characters that
    are safe in a header."""
    name = Path(re.sub(r"[^A-Za-z0-9._-]", "_", Path(uploaded or "file").name)[-100:])
    return f"{name.stem}.signed{name.suffix}"
