"""OASIS's own TAXII 2.1 client reads a real ``accord serve`` unchanged: discovery, the API
root, collections, paged objects, one object, the manifest, and posting an opinion."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from accord.server.banks.schemas import Marking
from accord.server.db.engine import make_engine
from accord.sharing import stix
from tests.integration.serving import Served, serve
from tests.integration.taxii.publishing import (
    OWNER,
    Bearer,
    assert_valid,
    pdqs,
    share_key,
    shared_bank,
)

ENTRIES = 4


@pytest.fixture(scope="module")
def publisher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    """A served instance with a GREEN and an AMBER bank shared, and a partner's key that is
    no partner of their owner."""
    data = tmp_path_factory.mktemp("publisher")
    with serve(data) as served:
        engine = make_engine(f"sqlite:///{Path(data) / 'accord.db'}")
        with Session(engine) as session:
            shared_bank(session, "DEEPFAKES", [{"pdq": value} for value in pdqs(ENTRIES)])
            shared_bank(session, "PARTNERS_ONLY", marking=Marking.AMBER)
            key = share_key(session, "newsroom", partner_of=[f"not {OWNER}"])
            session.commit()
        engine.dispose()
        yield served, key


def test_taxii2client_reads_and_writes(publisher: tuple[Served, str]) -> None:
    served, key = publisher
    server = Server(f"{served.base}/taxii2/", auth=Bearer(key))
    assert server.title == "accord"
    assert [root.url for root in server.api_roots] == [f"{served.base}/taxii2/accord/"]
    api_root: ApiRoot = server.default
    assert api_root.versions == [stix.TAXII_MEDIA_TYPE]
    assert [collection.title for collection in api_root.collections] == ["DEEPFAKES"]
    collection: Collection = api_root.collections[0]
    assert (collection.can_read, collection.can_write) == (True, True)

    served_objects: list[dict[str, Any]] = []
    pages = list(as_pages(collection.get_objects, per_request=2))
    for envelope in pages:
        served_objects += envelope["objects"]
    assert [len(envelope["objects"]) for envelope in pages] == [2, 2, 2]
    # The owner's identity, the bank's TLP marking definition and an indicator per entry.
    assert len({body["id"] for body in served_objects}) == ENTRIES + 2
    assert_valid(served_objects)

    indicator = served_objects[2]
    assert collection.get_object(indicator["id"])["objects"] == [indicator]
    manifest = [
        record
        for envelope in as_pages(collection.get_manifest, per_request=4)
        for record in envelope["objects"]
    ]
    assert [record["id"] for record in manifest] == [body["id"] for body in served_objects]

    said = stix.opinion(
        indicator["id"],
        stix.Verdict.FALSE_POSITIVE,
        author="Newsroom",
        note="a parody, labelled as one",
        created=datetime.now(UTC),
    )
    status = collection.add_objects({"objects": [said]})
    assert (status.status, status.success_count, status.failure_count) == ("complete", 1, 0)
    assert api_root.get_status(status.id).successes == status.successes
    # The publisher keeps it; other partners never read it in the collection.
    assert collection.get_objects(type="opinion").get("objects", []) == []
