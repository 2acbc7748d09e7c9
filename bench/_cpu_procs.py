"""A CPU-bound process for ``dask_scaling.py`` (a module, so Dask workers can import it)."""

from __future__ import annotations

from eoproc.processes import ProcessRegistry

registry = ProcessRegistry()


@registry.process
def count_primes(limit: int = 60_000) -> int:
    """Counts the primes below ``limit`` by trial division (pure Python, one core)."""
    count = 0
    for n in range(2, limit):
        d = 2
        while d * d <= n:
            if n % d == 0:
                break
            d += 1
        else:
            count += 1
    return count
