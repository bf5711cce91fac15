"""A TAXII 2.1 client for what an exchange needs of a publisher: its API root (from the
discovery URL or the root itself), its collections, pages of a collection's objects, one
object by id, and posting an object back.

Every answer is read within bounds: at most ``max_page_bytes`` of body (counted as it
streams, after any content decoding, so a compressed bomb stops early too), within
``timeout_seconds`` per read and twice that for the whole body, so a peer that drips a
byte at a time is cut off too. Transport failures and refusals are ``FetchFailed``; an
answer that is not TAXII is ``StixError``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import httpx

from accord.errors import BadRequest, FetchFailed, StixError
from accord.server.exchanges.envelope import (
    DATE_ADDED_LAST,
    Envelope,
    check_media_type,
    one_line,
    read_envelope,
    resource,
)
from accord.server.exchanges.schemas import FetchLimits
from accord.sharing import stix

_OK = 200
_NOT_FOUND = 404
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: Bytes of an error answer read for its title and description.
_ERROR_BYTES = 64 * 1024
_WHY = {
    401: "the API key was refused or is missing (a partner's share key is needed)",
    403: "the API key may not read this",
    404: "not found (or not visible to this API key)",
    406: "it does not speak TAXII 2.1",
    429: "too many requests; try again later",
}


@dataclass(frozen=True, slots=True)
class Answered:
    """A successful answer's body and headers."""

    raw: bytes
    headers: httpx.Headers


class TaxiiClient:
    """Calls to one publisher with one API key (or none)."""

    def __init__(self, http: httpx.Client, api_key: str | None, limits: FetchLimits) -> None:
        self._http = http
        self._limits = limits
        self._headers = {"Accept": stix.TAXII_MEDIA_TYPE}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"

    def api_root_of(self, url: str) -> str:
        """The API root ``url`` names: itself, or the one a discovery resource points to
        (its ``default``, else its only root), which must be on the same origin: a
        discovery must not send the partner key elsewhere. Ends with a slash."""
        url = _slashed(url)
        body = resource(self.get(url).raw, url)
        if "api_roots" in body:
            roots = body.get("api_roots")
            if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots):
                raise StixError(f"{url}: the discovery's api_roots must be a list of URLs")
            default = body.get("default")
            if isinstance(default, str) and default:
                root = default
            elif len(roots) == 1:
                root = roots[0]
            elif not roots:
                raise StixError(f"{url}: the discovery lists no API root")
            else:
                listed = ", ".join(one_line(root, 200) for root in roots)
                msg = f"{url} lists several API roots and no default; give one of them: {listed}"
                raise StixError(msg)
            stix.check_text(root, f"{url}: the discovery's API root")
            found = _slashed(urljoin(url, root))
            if origin_of(found) is None or origin_of(found) != origin_of(url):
                msg = (
                    f"the discovery at {url} names the API root {one_line(found, 200)}, on "
                    "another origin; pass the API root URL directly if it is the one meant"
                )
                raise BadRequest(msg)
            url = found
            body = resource(self.get(url).raw, url)
        versions = body.get("versions")
        if not isinstance(versions, list) or not any(
            isinstance(v, str) and v.replace(" ", "") == stix.TAXII_MEDIA_TYPE for v in versions
        ):
            msg = f"{url} is neither a TAXII 2.1 discovery URL nor a TAXII 2.1 API root"
            raise StixError(msg)
        return url

    def collections(self, api_root: str) -> list[dict[str, Any]]:
        url = f"{api_root}collections/"
        found = resource(self.get(url).raw, url).get("collections", [])
        if not isinstance(found, list) or not all(isinstance(item, dict) for item in found):
            raise StixError(f"{url}: collections must be a list of objects")
        return found

    def objects(
        self, api_root: str, collection_id: str, params: Mapping[str, str]
    ) -> tuple[Envelope, str]:
        """One page of the collection's objects, and the URL it came from (for errors)."""
        url = objects_url(api_root, collection_id)
        answered = self.get(url, params)
        envelope = read_envelope(
            answered.raw,
            answered.headers.get(DATE_ADDED_LAST),
            url,
            max_object_bytes=self._limits.max_object_bytes,
        )
        asked = params.get("limit", "")
        if asked.isdigit() and len(envelope.objects) > int(asked):
            msg = (
                f"{url}: the page holds {len(envelope.objects)} objects, over the {asked} asked for"
            )
            raise StixError(msg)
        return envelope, url

    def object(self, api_root: str, collection_id: str, object_id: str) -> list[dict[str, Any]]:
        """Every version the collection serves of ``object_id``; none when it has none."""
        url = f"{objects_url(api_root, collection_id)}{quote(object_id, safe='')}/"
        try:
            answered = self.get(url)
        except Refused as error:
            if error.status == _NOT_FOUND:  # no such object: nothing to read
                return []
            raise
        return read_envelope(
            answered.raw,
            None,
            url,
            max_object_bytes=self._limits.max_object_bytes,
            checkpointed=False,
        ).objects

    def get(self, url: str, params: Mapping[str, str] | None = None) -> Answered:
        """A 200 answer in TAXII's media type, read within the bounds; else an error."""
        limits = self._limits
        deadline = time.monotonic() + 2 * limits.timeout_seconds
        try:
            with self._http.stream(
                "GET",
                url,
                params=dict(params or {}),
                headers=self._headers,
                timeout=limits.timeout_seconds,
                follow_redirects=False,
            ) as response:
                if response.status_code != _OK:
                    raise _refused(url, response)
                check_media_type(response.headers.get("content-type"), url)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limits.max_page_bytes:
                    raise _too_large(url, limits.max_page_bytes)
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limits.max_page_bytes:
                        raise _too_large(url, limits.max_page_bytes)
                    if time.monotonic() > deadline:
                        msg = f"{url} took over {2 * limits.timeout_seconds:g} s to send its answer"
                        raise FetchFailed(msg)
                return Answered(bytes(body), response.headers)
        except httpx.HTTPError as error:
            raise transport_error(url, error, limits.timeout_seconds) from None
        except httpx.InvalidURL as error:  # not an HTTPError: nothing was sent
            raise FetchFailed(
                f"{one_line(url, 200)} is not a URL to ask: {one_line(error)}"
            ) from None


class Refused(FetchFailed):
    """A publisher's answer other than 200, with its HTTP status."""

    def __init__(self, detail: str, status: int) -> None:
        super().__init__(detail)
        self.status = status


def origin_of(url: str) -> tuple[str, str, int | None] | None:
    """Scheme, host and port: where a URL's requests go (and its key with them); None
    for a URL that names no such place (a bad IPv6 address, a port that is not one)."""
    try:
        parts = urlsplit(url)
        scheme, port = parts.scheme.lower(), parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS.get(scheme)


def objects_url(api_root: str, collection_id: str) -> str:
    return f"{api_root}collections/{quote(collection_id, safe='')}/objects/"


def transport_error(url: str, error: httpx.HTTPError, timeout_seconds: float) -> FetchFailed:
    if isinstance(error, httpx.TimeoutException):
        return FetchFailed(f"{url} did not answer within {timeout_seconds:g} s")
    if isinstance(error, httpx.ConnectError):
        return FetchFailed(f"cannot reach {url}: {one_line(error, 200) or 'connection failed'}")
    return FetchFailed(f"{url}: {type(error).__name__}: {one_line(error, 200)}")


def status_reason(status: int, raw: bytes) -> str:
    """Why a TAXII server answered ``status``: its error's title and description, or the
    usual meaning of the status."""
    words = _WHY.get(status, "")
    try:
        body = resource(raw, "")
    except StixError:
        body = {}
    said = " ".join(
        one_line(body[key], 200)
        for key in ("title", "description")
        if isinstance(body.get(key), str)
    )
    return "; ".join(part for part in (words, said) if part)


def _refused(url: str, response: httpx.Response) -> Refused:
    raw = b""
    for chunk in response.iter_bytes():
        raw += chunk
        if len(raw) >= _ERROR_BYTES:
            break
    reason = status_reason(response.status_code, raw[:_ERROR_BYTES])
    detail = f"{url} answered HTTP {response.status_code}" + (f": {reason}" if reason else "")
    return Refused(detail, response.status_code)


def _too_large(url: str, limit: int) -> FetchFailed:
    return FetchFailed(f"{url} sent more than {limit} bytes in one answer")


def _slashed(url: str) -> str:
    return url if url.endswith("/") else url + "/"
