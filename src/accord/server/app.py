"""The FastAPI application factory. Importing this module creates nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from accord import __version__
from accord.native_threads import use_one_native_thread
from accord.server import health
from accord.server.accounts import router as accounts_router
from accord.server.alerts import router as alerts_router
from accord.server.api_docs.mount import mount_api_docs
from accord.server.appeals import router as appeals_router
from accord.server.assessments import router as assessments_router
from accord.server.assets import router as assets_router
from accord.server.audit import router as audit_router
from accord.server.banks import router as banks_router
from accord.server.cases import router as cases_router
from accord.server.credentials import router as credentials_router
from accord.server.credentials import soft_binding
from accord.server.decisions import router as statements_router
from accord.server.elections import router as elections_router
from accord.server.erasure import router as erasure_router
from accord.server.guard import router as guard_router
from accord.server.hashing import router as hashing_router
from accord.server.hma import match_router as hma_match_router
from accord.server.hma import router as hma_router
from accord.server.limits import BodySizeLimit
from accord.server.logs import RequestLog
from accord.server.matching import router as matching_router
from accord.server.matching.raw_uploads import RawUploadMatching
from accord.server.metrics import router as metrics_router
from accord.server.metrics.figures import FiguresCache
from accord.server.metrics.middleware import RequestMetrics
from accord.server.notices import router as notices_router
from accord.server.portal.mount import mount_portal
from accord.server.problems import install_problem_handlers
from accord.server.runtime import Runtime
from accord.server.settings import Settings, settings_from_environment
from accord.server.taxii import router as taxii_router
from accord.server.transparency import router as transparency_router
from accord.server.triage.service import Triager
from accord.server.verify_page.body_limit import PageBodyLimit
from accord.server.verify_page.mount import mount_verify_page


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app and its runtime from ``settings`` (the environment when omitted)."""
    settings = settings or settings_from_environment()
    runtime = Runtime.build(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        use_one_native_thread()  # requests run in parallel threads already
        runtime.start()
        triager = Triager(runtime, interval_seconds=settings.triage_poll_seconds)
        triager.start()
        try:
            yield
        finally:
            triager.stop()
            runtime.close()

    app = FastAPI(
        title="accord",
        version=__version__,
        summary="Defend elections against deceptive AI content.",
        lifespan=lifespan,
        # Served from this package instead (``api_docs``): FastAPI's load from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.metrics_figures = FiguresCache()
    install_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(metrics_router.router)
    app.include_router(accounts_router.router)
    app.include_router(audit_router.router)
    app.include_router(alerts_router.router)
    app.include_router(erasure_router.router)
    app.include_router(notices_router.router)
    app.include_router(cases_router.router)
    app.include_router(appeals_router.router)
    app.include_router(elections_router.router)
    app.include_router(statements_router.router)
    app.include_router(transparency_router.router)
    app.include_router(hashing_router.router)
    app.include_router(assets_router.router)
    app.include_router(banks_router.router)
    app.include_router(matching_router.router)
    app.include_router(credentials_router.router)
    app.include_router(assessments_router.router)
    app.include_router(soft_binding.router)
    app.include_router(hma_router.status_router)
    app.include_router(hma_router.curation)
    app.include_router(hma_match_router.matching)
    app.include_router(taxii_router.router)
    app.include_router(guard_router.router)
    verify_page = mount_verify_page(app, settings, runtime.guard.buckets)
    mount_portal(app)
    mount_api_docs(app)
    # The last added runs first: the request log wraps everything, the metrics count what
    # the size limits refuse too, and the size limits see the body before anything parses
    # it (the Verify page's answers a page, not JSON).
    app.add_middleware(RawUploadMatching)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes + 64 * 1024)
    app.add_middleware(PageBodyLimit, page=verify_page)
    app.add_middleware(RequestMetrics)
    app.add_middleware(RequestLog)
    return app


def app_from_environment() -> FastAPI:
    """Factory for ``uvicorn --factory``: settings from ``ACCORD_*`` variables."""
    return create_app(settings_from_environment())
