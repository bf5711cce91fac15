"""Fetch media from a URL for hashing, safely: allow-listed hosts only, capped, timed.

HMA's URL hashing fetches any host when its allow-list is empty and follows redirects
anywhere, which turns a hash service into a proxy into the operator's network (SSRF).
Here an empty allow-list disables the feature, every redirect hop is checked against the
list again, only http and https are spoken, and size and time are capped.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import httpx

from accord.errors import FetchFailed, HostNotAllowed

if TYPE_CHECKING:
    from accord.server.settings import Settings

_MAX_REDIRECTS = 3


def host_allowed(host: str, allowed: Sequence[str]) -> bool:
    """Exact host names, or ``*.example.org`` for its subdomains (not the bare domain)."""
    host = host.lower().rstrip(".")
    for entry in allowed:
        pattern = entry.lower().rstrip(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]):
                return True
        elif host == pattern:
            return True
    return False


def check_url(url: str, allowed: Sequence[str]) -> None:
    if not allowed:
        msg = "hashing by URL is disabled: no hosts are allowed (ACCORD_HASH_URL_ALLOWED_HOSTS)"
        raise HostNotAllowed(msg)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        msg = f"only http and https URLs with a host can be fetched, not {url!r}"
        raise HostNotAllowed(msg)
    if not host_allowed(parts.hostname, allowed):
        msg = f"the host {parts.hostname!r} is not on the allow-list"
        raise HostNotAllowed(msg)


@contextmanager
def fetched_to_disk(
    url: str,
    *,
    allowed_hosts: Sequence[str],
    max_bytes: int,
    timeout_seconds: float,
    directory: Path,
    transport: httpx.BaseTransport | None = None,
) -> Iterator[Path]:
    """Download ``url`` to a temporary file that is deleted when the block ends."""
    deadline = time.monotonic() + timeout_seconds
    directory.mkdir(parents=True, exist_ok=True)
    with (
        httpx.Client(
            timeout=timeout_seconds, follow_redirects=False, transport=transport
        ) as client,
        tempfile.NamedTemporaryFile(dir=directory, prefix="fetch-") as target,
    ):
        for _hop in range(_MAX_REDIRECTS + 1):
            check_url(url, allowed_hosts)
            try:
                with client.stream("GET", url) as response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers.get("location", ""))
                        continue
                    if response.status_code != httpx.codes.OK:
                        msg = f"the URL answered HTTP {response.status_code}"
                        raise FetchFailed(msg)
                    _copy_capped(response, target, max_bytes=max_bytes, deadline=deadline)
                    break
            except httpx.HTTPError as error:
                msg = f"fetching the URL failed: {type(error).__name__}"
                raise FetchFailed(msg) from error
        else:
            msg = f"more than {_MAX_REDIRECTS} redirects"
            raise FetchFailed(msg)
        target.flush()
        yield Path(target.name)


def fetched_for_hashing(url: str, settings: Settings) -> AbstractContextManager[Path]:
    """``url`` on disk under the operator's URL-hashing limits (``ACCORD_HASH_URL_*``).

    Every endpoint that hashes a URL (HMA's ``/h/hash``, bank content, ``/m/lookup``) comes
    through here, so they all enforce the same allow-list, size and time.
    """
    return fetched_to_disk(
        url,
        allowed_hosts=settings.hash_url_allowed_hosts,
        max_bytes=settings.hash_url_max_bytes,
        timeout_seconds=settings.hash_url_timeout_seconds,
        directory=settings.upload_dir,
    )


def _copy_capped(
    response: httpx.Response,
    target: tempfile._TemporaryFileWrapper[bytes],
    *,
    max_bytes: int,
    deadline: float,
) -> None:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        msg = f"the URL's content is over the {max_bytes}-byte limit"
        raise FetchFailed(msg)
    written = 0
    for chunk in response.iter_bytes():
        written += len(chunk)
        if written > max_bytes:
            msg = f"the URL's content is over the {max_bytes}-byte limit"
            raise FetchFailed(msg)
        if time.monotonic() > deadline:
            msg = "fetching the URL took too long"
            raise FetchFailed(msg)
        target.write(chunk)
