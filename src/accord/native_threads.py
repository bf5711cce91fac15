"""Keep native libraries to one thread each in processes that already run work in parallel.

OpenBLAS (numpy's matrix products), OpenMP (FAISS) and OpenCV each start a thread per core
for every call. A server answering several requests at once, or a scan running a process
per core, already keeps the cores busy; their extra threads then spin against each other,
and measured a small PDQ product at ten times its single-threaded cost.
"""

from __future__ import annotations


def use_one_native_thread() -> None:
    """Limit OpenCV, OpenBLAS and every OpenMP runtime loaded so far to one thread each."""
    import cv2  # noqa: PLC0415 - OpenCV takes half a second to import
    import numpy  # noqa: F401, PLC0415 - loads OpenBLAS, so the limit reaches it
    from threadpoolctl import threadpool_limits  # noqa: PLC0415

    threadpool_limits(limits=1)
    cv2.setNumThreads(1)
