"""Randomness: scalar draws from numpy streams, fetched in blocks, and weighted tables."""

from __future__ import annotations

import bisect
import math

import numpy as np

_B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
# --- randomness ----------------------------------------------------------------------------------


class _Draw:
    """Scalar draws from a numpy ``Generator``, fetched in blocks (per-call numpy overhead would dominate)."""

    def __init__(self, seq: np.random.SeedSequence) -> None:
        self.gen = np.random.Generator(np.random.PCG64(seq))
        self._u: list[float] = []
        self._n: list[float] = []

    def u(self) -> float:
        if not self._u:
            self._u = self.gen.random(1 << 16).tolist()
        return self._u.pop()

    def n(self) -> float:
        if not self._n:
            self._n = self.gen.standard_normal(1 << 16).tolist()
        return self._n.pop()

    def pick(self, seq):
        return seq[int(self.u() * len(seq))]

    def chance(self, p: float) -> bool:
        return self.u() < p

    def poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        if lam < 30:  # Knuth's method: exact, and cheap for the small means used here
            limit, k, p = math.exp(-lam), 0, self.u()
            while p > limit:
                k += 1
                p *= self.u()
            return k
        return max(0, round(lam + math.sqrt(lam) * self.n()))

    def binomial(self, n: int, p: float) -> int:
        if n <= 0 or p <= 0:
            return 0
        if p >= 1:
            return n
        if n < 40:
            return sum(self.u() < p for _ in range(n))
        mu = n * p
        return min(n, max(0, round(mu + math.sqrt(mu * (1 - p)) * self.n())))

    def token(self, n: int, alphabet: str = _B62) -> str:
        size = len(alphabet)
        return "".join([alphabet[int(self.u() * size)] for _ in range(n)])


class _Table:
    """Weighted choice among ``items`` (cumulative weights + bisect)."""

    def __init__(self, items, weights) -> None:
        self.items = list(items)
        self.cum = np.cumsum(np.asarray(list(weights), dtype=float)).tolist()
        self.total = self.cum[-1]
        self.cum[-1] = math.inf  # u() * total may round up to total: it still lands on the last item

    def pick(self, r: _Draw):
        return self.items[bisect.bisect(self.cum, r.u() * self.total)]
