"""``accord serve``: run the HTTP service."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from accord.cli.local import fail, load_settings
from accord.errors import AccordError

#: uvicorn's exit status when the application failed to start.
STARTUP_FAILURE = 3


def serve_command(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (0: any free one).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Server processes.")] = 1,
) -> None:
    """Run the HTTP service (settings from ACCORD_* environment variables)."""
    import uvicorn  # noqa: PLC0415

    from accord.cli.listening import WorkerConfig, is_loopback, listen, serve  # noqa: PLC0415
    from accord.provenance.certificates import read_trust_anchors  # noqa: PLC0415
    from accord.server.db.migrate import upgrade  # noqa: PLC0415
    from accord.server.logs import configure_logging, resolved_format  # noqa: PLC0415
    from accord.server.metrics.folder import prepare_folder  # noqa: PLC0415

    settings = load_settings()
    try:  # checked here too, so a bad file is one line, not a traceback per worker
        read_trust_anchors(settings.trust_anchor_files)
        if settings.redis_url:
            from accord.server.rates_redis import check_redis  # noqa: PLC0415

            check_redis(settings.redis_url)
    except AccordError as error:
        raise fail(error.detail) from None
    bind_host = host or settings.host
    with listen(bind_host, settings.port if port is None else port) as listener:
        bound_port: int = listener.getsockname()[1]  # the one the system chose for port 0
        if not settings.api_keys_required and not is_loopback(bind_host):
            # Without keys every caller holds every scope: it could add an "allow" bank
            # that silences matches, or sign as an issuer. Fine on loopback, not beyond.
            raise fail(
                f"refusing to listen on {bind_host} without API keys (any caller would hold "
                "every scope): set ACCORD_REQUIRE_API_KEYS=true or ACCORD_ENV=production, "
                "or listen on 127.0.0.1"
            )
        # Resolved here ("auto" asks whether stderr is a terminal), so workers log alike.
        log_setup = (settings.log_level, resolved_format(settings.log_format))
        configure_logging(*log_setup)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # Before any worker starts: each writes its metric values there, for every scrape.
        prepare_folder(settings.data_dir)
        if settings.auto_migrate:
            upgrade(settings.effective_database_url)
        typer.echo(f"accord is serving on http://{bind_host}:{bound_port}", err=True)
        typer.echo(f"API docs: http://{bind_host}:{bound_port}/docs", err=True)
        if workers > 1:
            # libuv accepts every waiting connection at once, so one worker would take a
            # burst of new clients and the others none; one accept per turn spreads them.
            os.environ.setdefault("UV_TCP_SINGLE_ACCEPT", "1")
        options: dict[str, Any] = {
            "factory": True,
            "host": bind_host,
            "port": bound_port,
            "workers": workers,
            "log_config": None,
            "proxy_headers": bool(settings.trusted_proxies),
            "forwarded_allow_ips": ",".join(settings.trusted_proxies) or None,
        }
        app = "accord.server.app:app_from_environment"
        # Workers log as this process does, and die with it however it ends (WorkerConfig).
        config = (
            WorkerConfig(app, log_setup=log_setup, **options)
            if workers > 1
            else uvicorn.Config(app, **options)
        )
        started = serve(config, listener)
    if not started:
        raise typer.Exit(code=STARTUP_FAILURE)
