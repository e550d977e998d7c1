"""Wall time, CPU time and peak resident memory of one stage, and what machine measured them.

Peak RSS is the kernel's high-water mark (``VmHWM``), reset before each stage through
``/proc/self/clear_refs`` so every stage reports its own peak, not the process's so far.
Where that reset is not available (not Linux, no permission) the process-wide
``ru_maxrss`` is reported instead, which can only over-state later stages.
"""

from __future__ import annotations

import gc
import os
import platform
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = ["Measure", "stage", "machine", "peak_rss_mb"]


@dataclass
class Measure:
    """What one stage cost."""

    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    extra: dict = field(default_factory=dict)


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # "5": reset the peak RSS to the current RSS (Linux >= 4.0)
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    """The process's peak resident set size since the last reset, in MiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # macOS reports bytes, Linux KiB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale / 1024


@contextmanager
def stage() -> Iterator[Measure]:
    """Measure the block: ``with stage() as m: ...`` then read ``m.seconds``, ``m.peak_rss_mb``."""
    gc.collect()
    _reset_peak()
    m = Measure()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield m
    finally:
        m.seconds = time.perf_counter() - wall
        m.cpu_seconds = time.process_time() - cpu
        m.peak_rss_mb = peak_rss_mb()


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def machine() -> dict:
    """Where the numbers come from: CPU, cores, memory, OS, Python and the libraries that matter."""
    import igraph
    import networkx
    import numpy
    import pandas
    import pyarrow

    try:
        import orjson

        orjson_version = orjson.__version__
    except ImportError:
        orjson_version = None
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()]
        if hasattr(os, "getloadavg")
        else None,
        "libraries": {
            "pandas": pandas.__version__,
            "numpy": numpy.__version__,
            "pyarrow": pyarrow.__version__,
            "networkx": networkx.__version__,
            "igraph": igraph.__version__,
            "orjson": orjson_version,
        },
    }
