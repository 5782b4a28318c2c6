"""The Monte Carlo kernel (bprkit.estimate.sampling.Kernel) gives what the plain formula
gives: every cell's time and wait by the inverse CDF, the To-Be's by the kept shares of
its plan, and the totals as sums over the runs. Random sides: fixed, uniform and
triangular columns mixed, plans shared by runs, blocks smaller than a chunk."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bprkit.estimate import sampling


def _side(rng: np.random.Generator, runs: int) -> sampling.Side:
    def durations() -> tuple[np.ndarray, ...]:
        kind = rng.integers(0, 4, runs)  # 0 none, 1 fixed, 2 uniform, 3 triangular
        low = np.where(kind > 0, rng.uniform(0, 10, runs), 0.0)
        high = np.where(kind >= 2, low + rng.uniform(0.1, 20, runs), low)
        mode = np.where(kind == 3, rng.uniform(low, high), (low + high) / 2)
        edge = rng.integers(0, 5, runs)  # a mode at either end: the cut at 0 or 1
        mode = np.where((kind == 3) & (edge == 0), low, mode)
        mode = np.where((kind == 3) & (edge == 1), high, mode)
        return low, mode, high, kind == 3

    minutes, waits = durations(), durations()
    role = rng.integers(0, 3, runs)
    return sampling.Side(
        [], minutes, waits, rng.uniform(0, 5, runs) * (rng.random(runs) < 0.3),
        rng.uniform(0.1, 2, runs), (role == 0).astype(float), (role == 1).astype(float),
        (role == 2).astype(float), (rng.random(runs) < 0.5).astype(float),
        rng.uniform(0, 1, runs), 3.0, 1.0)


def _inverse_plain(u: np.ndarray, low: np.ndarray, mode: np.ndarray, high: np.ndarray,
                   tri: np.ndarray) -> np.ndarray:
    """The inverse CDF written out cell by cell, as sampling.inverse was before the kernel:
    the reference the kernel's in-place passes are held to."""
    span = high - low
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        uniform = low + u * span
        cut = np.where(span > 0, (mode - low) / np.where(span > 0, span, 1), 0.0)
        left = low + np.sqrt(u * span * (mode - low))
        right = high - np.sqrt((1 - u) * span * (high - mode))
    return np.where(tri, np.where(u < cut, left, right), uniform)


def _plain(side: sampling.Side, tobe_lead: np.ndarray, index: np.ndarray, u: np.ndarray,
           uw: np.ndarray, keep: np.ndarray, keep_wait: np.ndarray, setup: np.ndarray
           ) -> list[np.ndarray]:
    """The formula cell by cell, as the estimate computed it before the kernel."""
    minutes = _inverse_plain(u, *side.minutes)
    waits = _inverse_plain(uw, *side.waits) + side.batch
    tobe_minutes = minutes * keep[:, index] + setup[:, index]
    tobe_waits = side.batch + (waits - side.batch) * keep_wait[:, index]

    def sums(m: np.ndarray, w: np.ndarray, lead: np.ndarray) -> list[np.ndarray]:
        on_case = m * side.execs
        return [(on_case * side.staff).sum(1), (on_case * side.resident).sum(1),
                (on_case * side.external).sum(1), ((m + w) * lead).sum(1),
                (w * side.execs * side.queue).sum(1)]

    return sums(minutes, waits, side.lead) + sums(tobe_minutes, tobe_waits, tobe_lead)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), runs=st.integers(1, 60), n=st.integers(1, 50),
       plans=st.integers(1, 6), block=st.sampled_from([1, 7, 64, 100_000]))
def test_kernel_equals_the_plain_formula(seed: int, runs: int, n: int, plans: int,
                                         block: int) -> None:
    rng = np.random.default_rng(seed)
    side = _side(rng, runs)
    tobe_lead = rng.uniform(0, 1, runs)
    index = rng.integers(0, plans, runs)
    u, uw = rng.random((n, runs)), rng.random((n, runs))
    keep = rng.uniform(0, 1.2, (n, plans))
    keep_wait = np.where(rng.random((n, plans)) < 0.5, 1.0, rng.uniform(0, 1, (n, plans)))
    setup = rng.uniform(0, 3, (n, plans)) * (rng.random(plans) < 0.5)
    want = _plain(side, tobe_lead, index, u, uw, keep, keep_wait, setup)
    old = sampling.BLOCK_CELLS
    sampling.BLOCK_CELLS = block
    try:
        kernel = sampling.Kernel(side, tobe_lead, index, plans)
        m_b, w_b, m_a, w_a = kernel.run(u, uw, keep, keep_wait, setup)
    finally:
        sampling.BLOCK_CELLS = old
    travel = np.zeros(n)
    before = sampling.finish(side, m_b, w_b, travel, 0.0)
    after = sampling.finish(side, m_a, w_a, travel, 0.0, fixed_lead=side.fixed_lead)
    got = []
    for totals, lead_fixed in ((before, side.fixed_lead), (after, side.fixed_lead)):
        got += [totals.staff, totals.resident - totals.wait, totals.external,
                totals.lead - lead_fixed, totals.wait]
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-9)


def test_a_kept_share_of_one_changes_nothing() -> None:
    rng = np.random.default_rng(3)
    side = _side(rng, 30)
    index = np.zeros(30, dtype=int)
    u, uw = rng.random((20, 30)), rng.random((20, 30))
    ones, zeros = np.ones((20, 1)), np.zeros((20, 1))
    m_b, w_b, m_a, w_a = sampling.Kernel(side, side.lead, index, 1).run(u, uw, ones, ones,
                                                                        zeros)
    np.testing.assert_allclose(m_a, m_b, rtol=1e-12)
    np.testing.assert_allclose(w_a, w_b, rtol=1e-12)


@pytest.mark.parametrize("share", [0.0, 0.5])
def test_the_to_be_keeps_the_share_of_time(share: float) -> None:
    """A plan that keeps half the time halves every To-Be minute total (set-up 0)."""
    rng = np.random.default_rng(5)
    side = _side(rng, 25)
    index = np.zeros(25, dtype=int)
    u, uw = rng.random((10, 25)), rng.random((10, 25))
    keep = np.full((10, 1), share)
    m_b, _, m_a, _ = sampling.Kernel(side, side.lead, index, 1).run(
        u, uw, keep, np.ones((10, 1)), np.zeros((10, 1)))
    np.testing.assert_allclose(m_a, m_b * share, rtol=1e-12, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=300))
def test_percentiles_are_numpys(values: list[float]) -> None:
    x = np.array(values)
    got = sampling.percentiles(x, (10, 50, 90))
    np.testing.assert_allclose(got, np.percentile(x, [10, 50, 90]), rtol=1e-12, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), runs=st.integers(1, 40), n=st.integers(1, 30))
def test_inverse_is_the_plain_formula(seed: int, runs: int, n: int) -> None:
    """sampling.inverse (compare's draws, a lever parameter's) is the kernel's Shape: the
    same values as the formula written out, fixed, uniform and triangular columns."""
    rng = np.random.default_rng(seed)
    side = _side(rng, runs)
    u = rng.random((n, runs))
    for durations in (side.minutes, side.waits):
        np.testing.assert_allclose(sampling.inverse(u, *durations),
                                   _inverse_plain(u, *durations), rtol=1e-12, atol=1e-12)
