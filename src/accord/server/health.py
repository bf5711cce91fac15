"""Liveness (the process answers) and readiness (it can do its work)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from accord.server.db.migrate import is_at_head
from accord.server.deps import RuntimeDep
from accord.server.problems import problem_response

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process is up")
def liveness() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: database reachable and migrated, blob store usable, indices fresh",
)
def readiness(request: Request, runtime: RuntimeDep) -> Any:
    checks = {"database": "ok", "migrations": "ok", "blobs": "ok", "indexes": "ok"}
    indexes: dict[str, Any] = {}
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            if not is_at_head(connection):
                checks["migrations"] = "behind: run 'accord db upgrade'"
            else:
                status = runtime.indexes.status(
                    Session(connection),
                    max_stale_seconds=runtime.settings.index_max_stale_seconds,
                )
                indexes = status.to_json()
                if not status.loaded:
                    checks["indexes"] = "not loaded yet"
                elif status.stale:
                    checks["indexes"] = f"stale: last synced {status.seconds_since_sync:.0f} s ago"
    except Exception as error:  # noqa: BLE001 - readiness reports any failure, never raises
        checks["database"] = f"unreachable: {type(error).__name__}"
        checks["migrations"] = checks["indexes"] = "unknown"
    # The store answers within a few seconds, or says why not (unreachable, no bucket).
    blob_problem = runtime.blobs.problem()
    if blob_problem is not None:
        checks["blobs"] = blob_problem
    if all(value == "ok" for value in checks.values()):
        return JSONResponse({"status": "ready", "checks": checks, "indexes": indexes})
    return problem_response(
        request,
        status=503,
        code="server.not_ready",
        title="Not ready",
        detail="; ".join(f"{key}: {value}" for key, value in checks.items() if value != "ok"),
        checks=checks,
        indexes=indexes,
    )
