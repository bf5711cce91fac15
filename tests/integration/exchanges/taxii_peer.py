"""A small TAXII 2.1 publisher on loopback, for the subscriber's tests: a discovery
resource, one API root, collections, pages of objects (``added_after``, ``limit``,
``next``, ``match[type]``, the ``X-TAXII-Date-Added-*`` headers), one object by id, and
posts of objects back. A test may make any objects request answer anything it likes
(``hostile``): it plays a simple peer, a broken one or a hostile one."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from accord.sharing import stix

PEER_KEY = "the partner key this peer gave us"
OWNER = "Electoral Commission"
TAXII = stix.TAXII_MEDIA_TYPE
_START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@dataclass
class Reply:
    """An answer a test makes the peer give instead of its own."""

    status: int = 200
    body: bytes = b""
    content_type: str = TAXII
    headers: dict[str, str] = field(default_factory=dict)
    #: Wait this long before answering (a peer too slow to answer).
    delay_seconds: float = 0.0


def taxii_json(body: object, status: int = 200, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(status=status, body=json.dumps(body).encode(), headers=dict(headers or {}))


@dataclass
class TaxiiPeer:
    base: str = ""
    #: The key every request must bear (None: no key needed).
    key: str | None = PEER_KEY
    collections: list[dict[str, Any]] = field(default_factory=list)
    #: Each collection's objects: (date added, object), in the order added.
    objects: dict[str, list[tuple[datetime, dict[str, Any]]]] = field(default_factory=dict)
    #: The discovery's API roots (paths on this peer) and its default (None: none named).
    roots: list[str] = field(default_factory=lambda: ["/api1/"])
    default_root: str | None = "/api1/"
    #: ``hostile(n, params)``: a reply for the n-th objects request (from 1), or None.
    hostile: Callable[[int, Mapping[str, str]], Reply | None] | None = None
    #: The query of every objects request, in order; the id of every object asked for.
    object_requests: list[dict[str, str]] = field(default_factory=list)
    object_lookups: list[str] = field(default_factory=list)
    #: Envelopes posted, with their Authorization header; and how to answer them.
    posted: list[tuple[dict[str, Any], str | None]] = field(default_factory=list)
    post_reply: Reply | None = None
    clock: datetime = _START

    @property
    def discovery(self) -> str:
        return f"{self.base}/taxii2/"

    @property
    def api_root(self) -> str:
        return f"{self.base}/api1/"

    def discovery_resource(self) -> dict[str, Any]:
        discovery: dict[str, Any] = {"title": "a test peer", "api_roots": self.roots}
        if self.default_root is not None:
            discovery["default"] = self.default_root
        return discovery

    def collection(self, title: str, *, can_read: bool = True) -> str:
        collection_id = str(uuid.uuid4())
        self.collections.append(
            {
                "id": collection_id,
                "title": title,
                "can_read": can_read,
                "can_write": True,
                "media_types": [stix.STIX_MEDIA_TYPE],
            }
        )
        self.objects[collection_id] = []
        return collection_id

    def publish(self, collection_id: str, *bodies: dict[str, Any]) -> None:
        """Add objects; a new version of an object replaces the old one at the end."""
        held = self.objects[collection_id]
        for body in bodies:
            held[:] = [(when, kept) for when, kept in held if kept["id"] != body["id"]]
            self.clock += timedelta(milliseconds=1)
            held.append((self.clock, body))

    def page(self, collection_id: str, params: Mapping[str, str]) -> Reply:
        items = self.objects.get(collection_id)
        if items is None:
            return _error(404, "no such collection")
        after = params.get("added_after")
        if after is not None:
            since = stix.parse_time(after)
            items = [(when, body) for when, body in items if when > since]
        types = params.get("match[type]")
        if types:
            wanted = set(types.split(","))
            items = [(when, body) for when, body in items if body["type"] in wanted]
        start = int(params.get("next", "0"))
        limit = int(params.get("limit", "100"))
        chosen = items[start : start + limit]
        more = start + limit < len(items)
        envelope: dict[str, Any] = {"more": more, "objects": [body for _, body in chosen]}
        if more:
            envelope["next"] = str(start + limit)
        headers = {}
        if chosen:
            headers["X-TAXII-Date-Added-First"] = stix.stix_time(chosen[0][0])
            headers["X-TAXII-Date-Added-Last"] = stix.stix_time(chosen[-1][0])
        return taxii_json(envelope, headers=headers)


def _error(status: int, title: str) -> Reply:
    return taxii_json({"title": title, "http_status": str(status)}, status)


@contextmanager
def taxii_peer() -> Iterator[TaxiiPeer]:
    peer = TaxiiPeer()

    class Handler(BaseHTTPRequestHandler):
        # Headers and body go in two writes: without this, each answer waits out a
        # delayed acknowledgement.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path = parts.path
            params = {name: values[-1] for name, values in parse_qs(parts.query).items()}
            self._reply(self._get(path, params))

        def _get(self, path: str, params: dict[str, str]) -> Reply:
            if not self._admitted():
                return _error(401, "Unauthorized: give a share key")
            resources: dict[str, Callable[[], dict[str, Any]]] = {
                "/taxii2/": peer.discovery_resource,
                "/api1/": lambda: {"title": "test", "versions": [TAXII], "max_content_length": 1},
                "/api1/collections/": lambda: {"collections": peer.collections},
            }
            if path in resources:
                return taxii_json(resources[path]())
            pieces = path.removeprefix("/api1/collections/").strip("/").split("/")
            if len(pieces) == 2 and pieces[1] == "objects":
                peer.object_requests.append(params)
                hostile = peer.hostile(len(peer.object_requests), params) if peer.hostile else None
                return hostile or peer.page(pieces[0], params)
            if len(pieces) == 3 and pieces[1] == "objects":
                wanted = unquote(pieces[2])
                peer.object_lookups.append(wanted)
                found = [b for _, b in peer.objects.get(pieces[0], []) if b["id"] == wanted]
                return taxii_json({"objects": found}) if found else _error(404, "no such object")
            return _error(404, "not found")

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            peer.posted.append((body, self.headers.get("Authorization")))
            if not self._admitted():
                self._reply(_error(401, "Unauthorized: give a share key"))
                return
            if peer.post_reply is not None:
                self._reply(peer.post_reply)
                return
            ids = [item["id"] for item in body["objects"]]
            status = {
                "id": str(uuid.uuid4()),
                "status": "complete",
                "total_count": len(ids),
                "success_count": len(ids),
                "failure_count": 0,
                "pending_count": 0,
                "successes": [{"id": object_id} for object_id in ids],
            }
            self._reply(taxii_json(status, 202))

        def _admitted(self) -> bool:
            return peer.key is None or self.headers.get("Authorization") == f"Bearer {peer.key}"

        def _reply(self, reply: Reply) -> None:
            if reply.delay_seconds:
                time.sleep(reply.delay_seconds)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)
            except OSError:  # the client gave up first (a timeout test)
                pass

        def log_message(self, *_args: object) -> None:
            pass

    # Port 0: the kernel's pick as the server binds.
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    peer.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield peer
    finally:
        server.shutdown()
        server.server_close()


def indicator(
    signals: Mapping[str, str],
    *,
    stix_id: str | None = None,
    modified: datetime | None = None,
    revoked: bool = False,
    marking: str = "TLP:AMBER",
    owner: str = OWNER,
    labels: tuple[str, ...] = (),
    note: str = "",
    kind: str = "deceptive",
    case_reference: str | None = None,
) -> dict[str, Any]:
    """An indicator as an accord publisher writes it."""
    created = _START
    return stix.indicator(
        stix.SharedEntry(
            stix_id=stix_id or stix.new_id("indicator"),
            created=created,
            modified=modified or created,
            bank="DEEPFAKES",
            entry_id=1,
            kind=kind,
            owner=owner,
            marking=marking,
            signals=dict(signals),
            labels=labels,
            case_reference=case_reference,
            note=note,
            revoked=revoked,
        )
    )


def later(body: dict[str, Any], *, revoked: bool = False, **changes: Any) -> dict[str, Any]:
    """The next version of ``body`` (a minute later), revoked or changed."""
    newer = {**body, **changes}
    newer["modified"] = stix.stix_time(stix.parse_time(body["modified"]) + timedelta(minutes=1))
    if revoked:
        newer["revoked"] = True
    return newer


def identity(owner: str = OWNER) -> dict[str, Any]:
    return stix.identity(owner, _START)


def pdq(number: int) -> str:
    """A valid PDQ hash per number, far from every other number's (random bits)."""
    return hashlib.sha256(f"pdq {number}".encode()).hexdigest()
