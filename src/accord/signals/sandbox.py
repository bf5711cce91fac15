"""Hash untrusted media in worker processes that can be stopped, bounded in time and memory.

A decoder stuck inside one FFmpeg or Pillow call cannot be interrupted from Python, and
one that allocates without end takes the server's memory with it. ``DecodePool`` hashes
videos, sound and large pictures in long-lived worker processes instead:

- a task is a path and the names of the signals wanted; the worker opens the file within
  the same ``MediaLimits``, hashes it as ``OpenedFile`` does in process, and answers the
  signals (a few kilobytes), never pixels;
- a task not answered within ``timeout_seconds`` (wall clock) gets its worker killed
  (SIGKILL) and replaced, and its caller ``DecodeTimeout``; a CPU-time limit per task
  (``RLIMIT_CPU``) stops a worker on its own should its parent be unable to;
- a worker may map ``memory_bytes`` beyond what its libraries map (``RLIMIT_AS``): an
  allocation past that fails with ``MemoryError``, answered as ``MediaTooLarge``, and the
  worker is replaced; a worker that dies otherwise (a decoder crash) answers
  ``CorruptMedia``;
- workers are started on first use by multiprocessing's forkserver (never forked from a
  threaded server) and die with it, and so with the server (``die_with_parent``);
- requests and answers cross the pipe as JSON: a worker decodes hostile files, so the
  server never unpickles what one sends.

Small pictures stay in process: a round trip to a worker costs more than decoding them
(``benchmarks/decode_sandbox.py`` measures both).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import json
import math
import multiprocessing
import os
import resource
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Final

from accord import errors
from accord.errors import CorruptMedia, DecodeTimeout, MediaError, MediaTooLarge
from accord.media.cost import picture_pixels
from accord.media.file import MediaFile
from accord.media.kinds import MediaKind
from accord.media.limits import MIB, MediaLimits
from accord.process_lifetime import die_with_parent
from accord.signals.base import Signal

#: Seconds a new worker may take to load its decoders before it counts as broken.
STARTUP_SECONDS = 60.0
#: The largest answer read from a worker: an hour of audio's fingerprint is a few MiB.
MAX_ANSWER_BYTES = 64 * MIB
#: CPU seconds a task may use per wall-clock second of its timeout: FFmpeg's threads use
#: more than one core; the wall-clock kill normally comes first.
_CPU_PER_SECOND = 2
#: mallopt(3): the number of glibc malloc arenas. Each thread gets a 64 MiB arena of
#: address space by default, which would eat ``RLIMIT_AS`` without using memory.
_M_ARENA_MAX = -8
#: Where workers come from: forkserver's process is single-threaded and lives as long as
#: the server, so forking from it is safe and PR_SET_PDEATHSIG holds.
_CONTEXT: Final = "forkserver"
_READY = b"ready"


@dataclass(frozen=True, slots=True)
class DecodeTask:
    """What one worker is asked: the signals ``names`` of the file at ``path``."""

    path: str
    names: tuple[str, ...]
    limits: MediaLimits
    exact: bool
    reduced: bool

    def to_bytes(self) -> bytes:
        return json.dumps({**asdict(self), "limits": asdict(self.limits)}).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> DecodeTask:
        data = json.loads(raw)
        return cls(
            path=data["path"],
            names=tuple(data["names"]),
            limits=MediaLimits(**data["limits"]),
            exact=data["exact"],
            reduced=data["reduced"],
        )


class DecodePool:
    """Up to ``workers`` decode worker processes, shared by every thread of the server.

    ``takes`` says which files go to a worker; ``hash`` waits for a free worker (starting
    one on first use), gives it the task and returns its signals, or raises the error it
    met. ``close`` stops the workers.
    """

    def __init__(
        self,
        *,
        workers: int,
        timeout_seconds: float,
        memory_bytes: int,
        image_pixels: int,
    ) -> None:
        if workers < 1 or timeout_seconds <= 0 or memory_bytes <= 0:
            msg = "a decode pool needs a worker, a positive timeout and some memory"
            raise ValueError(msg)
        self.workers = workers
        self.timeout_seconds = timeout_seconds
        self.memory_bytes = memory_bytes
        #: Pictures with more pixels than this go to a worker; fewer decode in process.
        self.image_pixels = image_pixels
        self._free = threading.BoundedSemaphore(workers)
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._running: set[_Worker] = set()
        self._closed = False

    def takes(self, media: MediaFile) -> bool:
        """Whether ``media`` is hashed in a worker: every video and sound, and pictures
        over ``image_pixels`` (their header says how many)."""
        if media.kind is not MediaKind.IMAGE:
            return True
        return _image_pixels(media) > self.image_pixels

    def hash(
        self, media: MediaFile, names: Sequence[str], *, exact: bool, reduced: bool
    ) -> tuple[Signal, ...]:
        """The signals ``names`` of ``media`` that apply to it, computed in a worker."""
        task = DecodeTask(str(media.path), tuple(names), media.limits, exact, reduced)
        with self._free:
            while True:
                worker = self._take()
                try:
                    answer = worker.ask(task.to_bytes(), self.timeout_seconds)
                except _Gone:
                    # Ended while idle (killed from outside): not the file's fault.
                    self._retire(worker)
                    continue
                except BaseException:
                    # A timeout, a death, or the caller interrupted: no half-done worker.
                    self._retire(worker)
                    raise
                break
            with self._lock:
                kept = not answer.get("retire") and not self._closed
                if kept:
                    self._idle.append(worker)
            if not kept:
                self._retire(worker)
        return _signals_from(answer)

    def close(self) -> None:
        """Stop every worker; a task still running ends with its worker killed (its
        caller's thread, reading the pipe, then cleans up)."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            busy = self._running.difference(idle)
            self._running = busy
        for worker in idle:
            worker.stop()
        for worker in busy:
            worker.process.kill()

    def __enter__(self) -> DecodePool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def pids(self) -> list[int]:
        """The worker processes running now (for tests and monitoring)."""
        with self._lock:
            return [worker.pid for worker in self._running]

    def _take(self) -> _Worker:
        while True:
            with self._lock:
                if self._closed:
                    msg = "the decode pool is closed"
                    raise RuntimeError(msg)
                idle = self._idle.pop() if self._idle else None
            if idle is None:
                break
            if idle.process.is_alive():
                return idle
            self._retire(idle)
        worker = _Worker.start(self.memory_bytes, self._cpu_seconds())
        with self._lock:
            self._running.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            self._running.discard(worker)

    def _cpu_seconds(self) -> int:
        return math.ceil(self.timeout_seconds * _CPU_PER_SECOND) + 1


class _Gone(Exception):
    """The worker had ended before it was given the task."""


class _Worker:
    """One worker process and the pipe to it."""

    def __init__(self, process: BaseProcess, connection: Connection) -> None:
        self.process = process
        self.connection = connection

    @classmethod
    def start(cls, memory_bytes: int, cpu_seconds: int) -> _Worker:
        context = multiprocessing.get_context(_CONTEXT)
        # Loaded once in the forkserver, so each worker starts with accord's modules.
        context.set_forkserver_preload([__name__])
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(theirs, memory_bytes, cpu_seconds),
            name="accord-decoder",
            daemon=True,
        )
        process.start()
        theirs.close()  # only the worker holds its end: its death reads as end of file here
        worker = cls(process, ours)
        try:
            ready = ours.poll(STARTUP_SECONDS) and ours.recv_bytes(len(_READY)) == _READY
        except (EOFError, OSError):
            ready = False
        if not ready:
            worker.kill()
            msg = f"a decode worker did not start (exit code {process.exitcode})"
            worker.stop()
            raise RuntimeError(msg)
        return worker

    @property
    def pid(self) -> int:
        return self.process.pid or 0

    def ask(self, request: bytes, timeout_seconds: float) -> dict[str, Any]:
        try:
            self.connection.send_bytes(request)
        except OSError:
            raise _Gone from None
        if not self.connection.poll(timeout_seconds):
            self.kill()
            msg = f"decoding took longer than {timeout_seconds:g} seconds and was stopped"
            raise DecodeTimeout(msg)
        try:
            answer: dict[str, Any] = json.loads(self.connection.recv_bytes(MAX_ANSWER_BYTES))
        except (EOFError, OSError):
            raise self._death() from None
        return answer

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()

    def stop(self) -> None:
        """End the worker: it leaves on end of file when idle; killed if it does not."""
        self.connection.close()
        self.process.join(timeout=1.0)
        self.kill()
        self.process.close()

    def _death(self) -> errors.MediaError:
        """The error for a worker that died while decoding."""
        self.process.join()
        code = self.process.exitcode or 0
        if code == -signal.SIGXCPU:
            return DecodeTimeout("decoding used more than its CPU time and was stopped")
        cause = _signal_name(-code) if code < 0 else f"exit code {code}"
        return CorruptMedia(f"the decoder stopped on this file ({cause})")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _serve(connection: Connection, memory_bytes: int, cpu_seconds: int) -> None:
    """A worker's life: load the decoders, bound its memory, then hash each task sent,
    until its pipe closes."""
    die_with_parent(os.getppid())  # the forkserver, which ends with the server
    _load_decoders()
    _bound_memory(memory_bytes)
    connection.send_bytes(_READY)
    while True:
        try:
            raw = connection.recv_bytes()
        except (EOFError, OSError):
            return
        _bound_cpu(cpu_seconds)
        answer = _answer(DecodeTask.from_bytes(raw), memory_bytes)
        connection.send_bytes(json.dumps(answer).encode())
        if answer.get("retire"):
            return


def _answer(task: DecodeTask, memory_bytes: int) -> dict[str, Any]:
    """The JSON answer to one task: its signals, or the error met."""
    from accord.signals.hashing import OpenedFile  # noqa: PLC0415 - it imports this module
    from accord.signals.registry import parse_signal_names  # noqa: PLC0415

    allowance = f"a decode worker may use {memory_bytes // MIB} MiB"
    try:
        opened = OpenedFile(task.path, limits=task.limits, exact=task.exact, reduced=task.reduced)
        result = opened.hash(parse_signal_names(task.names))
    except errors.AccordError as error:
        if not isinstance(error.__cause__, MemoryError):  # the decode boundary's
            return {"error": {"class": type(error).__name__, "detail": error.detail}}
        # Its heap may be left fragmented or half-freed: a fresh worker takes the next.
        detail = f"{error.detail} ({allowance})"
        return {"error": {"class": type(error).__name__, "detail": detail}, "retire": True}
    except MemoryError:
        detail = f"the file needs more memory to decode than there is ({allowance})"
        return {"error": {"class": MediaTooLarge.__name__, "detail": detail}, "retire": True}
    except Exception:  # noqa: BLE001 - a bug in accord: the caller raises it as one
        return {"failure": traceback.format_exc()}
    return {"signals": [signal.to_json() for signal in result.signals]}


def _signals_from(answer: dict[str, Any]) -> tuple[Signal, ...]:
    if "signals" in answer:
        return tuple(Signal(**signal) for signal in answer["signals"])
    if "error" in answer:
        raise _error(answer["error"]["class"], answer["error"]["detail"])
    msg = f"a decode worker failed:\n{answer.get('failure', answer)}"
    raise RuntimeError(msg)


def _error(name: str, detail: str) -> errors.AccordError:
    """The error a worker named: hashing raises media and signal errors only, so any
    other name (a worker gone astray) becomes ``CorruptMedia``."""
    cls = getattr(errors, name, None)
    if isinstance(cls, type) and issubclass(cls, errors.MediaError | errors.SignalError):
        return cls(str(detail))
    return CorruptMedia(str(detail))


def _image_pixels(media: MediaFile) -> int:
    """A picture's pixels as its header says; an unreadable header goes to a worker,
    which meets (and reports) what is wrong with it."""
    try:
        return picture_pixels(media)
    except MediaError:
        return sys.maxsize


def _load_decoders() -> None:
    """Import every decoder once, before the memory bound is measured and set."""
    from accord.native_threads import use_one_native_thread  # noqa: PLC0415
    from accord.signals.registry import signal_type_classes  # noqa: PLC0415

    use_one_native_thread()  # the pool runs decodes in parallel processes already
    signal_type_classes()
    importlib.import_module("av")  # FFmpeg, loaded lazily by the audio and video paths


def _bound_memory(memory_bytes: int) -> None:
    """Allow ``memory_bytes`` of address space beyond what is mapped now."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 2)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _mapped_bytes() + memory_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _bound_cpu(cpu_seconds: int) -> None:
    """Allow ``cpu_seconds`` more CPU time; past it the kernel stops this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    limit = math.ceil(usage.ru_utime + usage.ru_stime) + cpu_seconds
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))


def _mapped_bytes() -> int:
    """This process's address space now (``VmSize``)."""
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[0])
    except OSError:
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")
