"""What every blob store promises, checked on each (the folder, and S3 on a real server):
content-addressed names, whole writes only, streamed reads, honoured deletes."""

from __future__ import annotations

import hashlib
import threading
import tracemalloc
from pathlib import Path

import pytest

from accord.server.storage.store import MissingBlob
from tests.integration.storage.conftest import Subject

MIB = 1024 * 1024


def written(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def large_file(folder: Path, size: int) -> Path:
    """``size`` bytes that do not repeat (every MiB differs), written a MiB at a time."""
    path = folder / "large.bin"
    with path.open("wb") as out:
        for block in range(size // MIB):
            out.write(hashlib.sha256(str(block).encode()).digest() * (MIB // 32))
    return path


def read_back(subject: Subject, sha256: str) -> bytes:
    with subject.store.open(sha256) as reader:
        return reader.read()


def test_a_blob_is_stored_under_its_sha256(subject: Subject, tmp_path: Path) -> None:
    data = b"a small file for the store"
    sha256 = subject.store.put_file(written(tmp_path, "small.bin", data))

    assert sha256 == hashlib.sha256(data).hexdigest()
    assert subject.names() == {f"{sha256[:2]}/{sha256[2:4]}/{sha256}"}
    assert subject.store.exists(sha256)
    assert read_back(subject, sha256) == data
    assert set(subject.store.digests()) == {sha256}


def test_storing_the_same_bytes_twice_keeps_one_blob(subject: Subject, tmp_path: Path) -> None:
    first = subject.store.put_file(written(tmp_path, "one.bin", b"same bytes"))
    second = subject.store.put_file(written(tmp_path, "two.bin", b"same bytes"))

    assert first == second
    assert len(subject.names()) == 1


def test_the_same_bytes_stored_at_once_from_two_threads(subject: Subject, tmp_path: Path) -> None:
    source = written(tmp_path, "raced.bin", b"x" * 100_000)
    digests: list[str] = []
    threads = [
        threading.Thread(target=lambda: digests.append(subject.store.put_file(source)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(digests) == 2
    assert len(set(digests)) == 1
    assert read_back(subject, digests[0]) == source.read_bytes()


def test_a_stream_is_read_in_pieces(subject: Subject, tmp_path: Path) -> None:
    data = bytes(range(256)) * 1000
    sha256 = subject.store.put_file(written(tmp_path, "pieces.bin", data))

    with subject.store.open(sha256) as reader:
        assert reader.size == len(data)
        pieces = [reader.read(1000) for _ in range(256)]
        assert reader.read(1000) == b""
    assert b"".join(pieces) == data


def test_a_local_copy_holds_the_blob_for_the_block(subject: Subject, tmp_path: Path) -> None:
    data = b"decoders want a path"
    sha256 = subject.store.put_file(written(tmp_path, "copy.bin", data))

    with subject.store.local_copy(sha256) as path:
        assert path.read_bytes() == data
    assert subject.store.exists(sha256)  # the blob outlives its copy
    destination = tmp_path / "out" / "copied.bin"
    destination.parent.mkdir()
    subject.store.copy_to(sha256, destination)
    assert destination.read_bytes() == data
    assert [path.name for path in destination.parent.iterdir()] == ["copied.bin"]


def test_a_missing_blob_is_a_clear_error(subject: Subject, tmp_path: Path) -> None:
    absent = hashlib.sha256(b"never stored").hexdigest()

    assert not subject.store.exists(absent)
    with pytest.raises(MissingBlob, match=f"no blob {absent} in "), subject.store.open(absent):
        pass
    with pytest.raises(MissingBlob), subject.store.local_copy(absent):
        pass
    with pytest.raises(MissingBlob):
        subject.store.copy_to(absent, tmp_path / "nothing.bin")
    assert not (tmp_path / "nothing.bin").exists()
    with pytest.raises(FileNotFoundError):  # what code that reads files already handles
        subject.store.copy_to(absent, tmp_path / "nothing.bin")
    with pytest.raises(ValueError, match="not a SHA-256"):
        subject.store.exists("../../etc/passwd")


def test_a_deleted_blob_is_gone(subject: Subject, tmp_path: Path) -> None:
    kept = subject.store.put_file(written(tmp_path, "kept.bin", b"kept"))
    gone = subject.store.put_file(written(tmp_path, "gone.bin", b"gone"))

    subject.store.delete(gone)
    subject.store.delete(gone)  # again: harmless

    assert not subject.store.exists(gone)
    with pytest.raises(MissingBlob), subject.store.open(gone):
        pass
    assert set(subject.store.digests()) == {kept}
    assert subject.names() == {f"{kept[:2]}/{kept[2:4]}/{kept}"}


def test_digests_list_blobs_only(subject: Subject, tmp_path: Path) -> None:
    sha256 = subject.store.put_file(written(tmp_path, "blob.bin", b"a blob"))
    other = hashlib.sha256(b"elsewhere").hexdigest()
    subject.place("notes.txt", b"not a blob")
    subject.place(f"00/00/{other}", b"a blob's name in the wrong folder")

    assert list(subject.store.digests()) == [sha256]


def test_a_source_that_cannot_be_read_stores_nothing(subject: Subject, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        subject.store.put_file(tmp_path / "vanished.bin")
    with pytest.raises(IsADirectoryError):
        subject.store.put_file(tmp_path)
    assert subject.names() == set()


def test_a_large_blob_goes_and_comes_back_in_bounded_memory(
    subject: Subject, tmp_path: Path
) -> None:
    source = large_file(tmp_path, 40 * MIB)
    expected = hashlib.sha256(source.read_bytes()).hexdigest()

    tracemalloc.start()
    try:
        sha256 = subject.store.put_file(source)
        _, stored_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        streamed = hashlib.sha256()
        with subject.store.open(sha256) as reader:
            while chunk := reader.read(MIB):
                streamed.update(chunk)
        _, read_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with subject.store.local_copy(sha256) as copy:
            assert copy.stat().st_size == 40 * MIB
        _, copy_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert sha256 == expected
    assert streamed.hexdigest() == expected
    # A part (8 MiB) at most while storing; a chunk or two while reading.
    assert stored_peak < 12 * MIB, stored_peak
    assert read_peak < 4 * MIB, read_peak
    assert copy_peak < 4 * MIB, copy_peak


def test_the_store_is_ready(subject: Subject) -> None:
    assert subject.store.problem() is None
