"""Holding back Python's cyclic garbage collector while millions of lasting objects are made."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Bulk loading makes millions of records and no reference cycles; without the pause
    the cyclic garbage collector would walk all of them again and again as they pile up."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def rare_collections() -> Iterator[None]:
    """Validation makes millions of small objects that all live on: collecting garbage
    every 700 allocations, as Python does by default, mostly rescans them for nothing."""
    thresholds = gc.get_threshold()
    gc.set_threshold(200_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
