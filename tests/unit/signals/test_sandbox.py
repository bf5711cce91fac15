"""The decode pool: the same signals as in process, stuck and greedy decoders stopped,
workers replaced and ended with their parent."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from accord.errors import DecodeTimeout, MediaTooLarge, SignalNotApplicable
from accord.media.file import open_media
from accord.media.limits import MIB
from accord.signals.hashing import OpenedFile
from accord.signals.registry import get_signal_type
from accord.signals.sandbox import DecodePool

#: A liveness bound for what should take milliseconds, on a machine busy with other tests.
SLOW_MACHINE_SECONDS = 30.0
#: A video that takes about a second to hash: far beyond ``TINY_TIMEOUT``.
LONG_VIDEO = Path("video") / "pattern-longer-no-bar.mp4"
TINY_TIMEOUT = 0.05


def running(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie, ended but not reaped, counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def ended_within(pid: int, seconds: float) -> bool:
    """Wait for a process that is not this one's child to end (its pidfd turns readable)."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([handle], [], [], seconds)
    finally:
        os.close(handle)
    return bool(readable) or not running(pid)


def pool(**changes: float) -> DecodePool:
    options: dict[str, float] = {
        "workers": 2,
        "timeout_seconds": SLOW_MACHINE_SECONDS,
        "memory_bytes": 2048 * MIB,
        "image_pixels": 0,
    } | changes
    return DecodePool(
        workers=int(options["workers"]),
        timeout_seconds=options["timeout_seconds"],
        memory_bytes=int(options["memory_bytes"]),
        image_pixels=int(options["image_pixels"]),
    )


@pytest.fixture
def decoder() -> Iterator[DecodePool]:
    with pool() as made:
        yield made


@pytest.mark.parametrize(
    ("name", "reduced"),
    [
        ("c2pa/video1.mp4", False),  # vPDQ of its frames and its soundtrack's fingerprint
        ("c2pa/sample1.mp3", False),
        ("pdq/bridge-mods/aaa-orig.jpg", False),
        ("pdq/bridge-mods/aaa-orig.jpg", True),  # decoded reduced, as lookups do
    ],
)
def test_a_worker_computes_what_the_process_does(
    decoder: DecodePool, corpus: Path, name: str, *, reduced: bool
) -> None:
    path = corpus / name
    here = OpenedFile(path, reduced=reduced).hash()
    sandboxed = OpenedFile(path, reduced=reduced, decoder=decoder)
    assert decoder.takes(sandboxed.media)
    assert sandboxed.hash() == here
    assert len(decoder.pids()) == 1  # it did run in a worker


def test_signals_a_worker_computed_are_kept(decoder: DecodePool, corpus: Path) -> None:
    opened = OpenedFile(corpus / "c2pa" / "video1.mp4", decoder=decoder)
    first = opened.hash()
    decoder.close()  # a second decode would now fail: the answer must come from the file
    vpdq = get_signal_type("vpdq")
    assert opened.hash([vpdq]).signals == (first.signal("vpdq"),)


def test_types_that_do_not_apply_are_refused_as_in_process(
    decoder: DecodePool, corpus: Path
) -> None:
    opened = OpenedFile(corpus / "c2pa" / "sample1.mp3", decoder=decoder)
    with pytest.raises(SignalNotApplicable, match="none of the signals vpdq applies"):
        opened.hash([get_signal_type("vpdq")])


def test_small_pictures_stay_in_process(corpus: Path) -> None:
    with pool(image_pixels=2_000_000) as decoder:
        photo = open_media(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")  # 1.6 MP
        assert not decoder.takes(photo)
        assert decoder.takes(open_media(corpus / "c2pa" / "sample1.mp3"))
        OpenedFile(photo, decoder=decoder).hash()
        assert decoder.pids() == []


def test_a_picture_decoded_here_already_is_hashed_here(decoder: DecodePool, corpus: Path) -> None:
    """An assessment decodes its picture, then looks it up in the banks: a worker would
    decode it a second time, beside the first (the probe measured both at once)."""
    opened = OpenedFile(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg", decoder=decoder)
    assert decoder.takes(opened.media)
    opened.picture()
    assert opened.hash() == OpenedFile(opened.media).hash()
    assert decoder.pids() == []


def test_threads_share_the_workers(decoder: DecodePool, corpus: Path) -> None:
    files = [corpus / "c2pa" / "sample1.mp3", corpus / "c2pa" / "video1.mp4"] * 3
    expected = {path: OpenedFile(path).hash() for path in set(files)}
    with ThreadPoolExecutor(len(files)) as threads:
        answers = list(threads.map(lambda path: OpenedFile(path, decoder=decoder).hash(), files))
    assert answers == [expected[path] for path in files]
    assert 1 <= len(decoder.pids()) <= decoder.workers


def test_a_decode_past_its_time_is_stopped_and_the_pool_serves_on(corpus: Path) -> None:
    with pool(workers=1, timeout_seconds=TINY_TIMEOUT) as decoder:
        started = time.monotonic()
        with pytest.raises(DecodeTimeout, match=r"longer than 0\.05 seconds") as stopped:
            OpenedFile(corpus / LONG_VIDEO, decoder=decoder).hash()
        assert stopped.value.code == "media.decode_timeout"
        # Killed at its timeout, not when the decode would have ended by itself (the
        # bound is wide: starting the worker is not counted, reaping it is).
        assert time.monotonic() - started < SLOW_MACHINE_SECONDS
        assert decoder.pids() == []  # the stuck worker is gone ...

        decoder.timeout_seconds = SLOW_MACHINE_SECONDS
        answer = OpenedFile(corpus / "c2pa" / "video1.mp4", decoder=decoder).hash()
        assert answer.signal("vpdq") is not None  # ... and a new one serves the next file


def test_the_killed_worker_process_is_gone(corpus: Path) -> None:
    with pool(workers=1) as decoder:
        OpenedFile(corpus / "c2pa" / "sample1.mp3", decoder=decoder).hash()
        (worker,) = decoder.pids()
        decoder.timeout_seconds = TINY_TIMEOUT
        with pytest.raises(DecodeTimeout):
            OpenedFile(corpus / LONG_VIDEO, decoder=decoder).hash()
        assert not running(worker)


def test_a_worker_killed_while_idle_is_replaced_unnoticed(
    decoder: DecodePool, corpus: Path
) -> None:
    path = corpus / "c2pa" / "sample1.mp3"
    expected = OpenedFile(path, decoder=decoder).hash()
    (worker,) = decoder.pids()
    os.kill(worker, signal.SIGKILL)  # the kernel's OOM killer, say
    assert ended_within(worker, SLOW_MACHINE_SECONDS)
    assert OpenedFile(path, decoder=decoder).hash() == expected
    assert decoder.pids() not in ([], [worker])


def big_png(path: Path, width: int = 4096, height: int = 4000) -> Path:
    """16 MP of smooth gradient: a PNG of a few hundred kB that needs ~64 MB decoded."""
    ramp = np.tile(np.arange(256, dtype=np.uint8), (height, width // 256))
    Image.fromarray(ramp).convert("RGB").save(path)
    return path


def test_a_worker_over_its_memory_is_refused_clearly_and_replaced(
    corpus: Path, tmp_path: Path
) -> None:
    with pool(workers=1, memory_bytes=64 * MIB) as decoder:
        OpenedFile(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg", decoder=decoder).hash()
        (greedy,) = decoder.pids()
        with pytest.raises(MediaTooLarge, match="a decode worker may use 64 MiB") as refused:
            OpenedFile(big_png(tmp_path / "big.png"), decoder=decoder).hash()
        assert refused.value.code == "media.too_large"
        assert decoder.pids() == []
        assert not running(greedy)

        result = OpenedFile(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg", decoder=decoder)
        assert result.hash().signal("pdq") is not None
        assert decoder.pids() not in ([], [greedy])


def test_a_big_picture_gives_the_same_signals_in_a_worker(tmp_path: Path) -> None:
    path = big_png(tmp_path / "big.png")
    with pool(image_pixels=8_000_000) as decoder:
        sandboxed = OpenedFile(path, decoder=decoder)
        assert decoder.takes(sandboxed.media)
        assert sandboxed.hash() == OpenedFile(path).hash()


def test_a_closed_pool_stops_its_workers_and_takes_no_more(corpus: Path) -> None:
    decoder = pool()
    OpenedFile(corpus / "c2pa" / "sample1.mp3", decoder=decoder).hash()
    (worker,) = decoder.pids()
    decoder.close()
    assert not running(worker)
    with pytest.raises(RuntimeError, match="closed"):
        OpenedFile(corpus / "c2pa" / "sample1.mp3", decoder=decoder).hash()


#: A process holding a pool with one worker started; it prints the worker's pid and waits.
HOLDER = textwrap.dedent(
    """
    import sys, time
    from accord.signals.hashing import OpenedFile
    from accord.signals.sandbox import DecodePool

    if __name__ == "__main__":
        pool = DecodePool(workers=1, timeout_seconds=60, memory_bytes=2**31, image_pixels=0)
        OpenedFile(sys.argv[1], decoder=pool).hash()
        print(*pool.pids(), flush=True)
        time.sleep(600)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_their_parent(corpus: Path, tmp_path: Path) -> None:
    script = tmp_path / "holder.py"
    script.write_text(HOLDER)
    holder = subprocess.Popen(
        [sys.executable, str(script), str(corpus / "c2pa" / "sample1.mp3")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        worker = int(holder.stdout.readline())
        assert running(worker)
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    orphaned = not ended_within(worker, SLOW_MACHINE_SECONDS)
    if orphaned:  # ended here, so a failure leaves nothing behind
        os.kill(worker, signal.SIGKILL)
    assert not orphaned, "a decode worker outlived its parent"
