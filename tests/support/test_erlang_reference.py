"""Self-test of erlang_reference.py against published values and identities.

The same sources as the C++ tests (tests/core/forecast), so that the two
implementations are each tied to the literature, not only to each other.
Run: python3 -m unittest -v test_erlang_reference (ctest: support_test_erlang_reference).
"""

import math
import unittest

import erlang_reference as ref


def phi(x):
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def Phi(x):
    return 0.5 * math.erfc(-x / math.sqrt(2))


class ErlangBC(unittest.TestCase):
    def test_erlang_b_one_percent_table(self):
        # Erlang B tables: load (erlangs) for 1 % blocking with N circuits.
        for n, load in ((10, 4.461), (20, 12.031), (50, 37.901), (100, 84.064)):
            with self.subTest(n=n):
                self.assertAlmostEqual(ref.erlang_b(n, load), 0.01, delta=1e-5)

    def test_two_servers_one_erlang_by_hand(self):
        # B(2,1) = 0.5 / 2.5; C(2,1) = 1/3; E[W] = C AHT / (N - A) = 20 s.
        self.assertAlmostEqual(ref.erlang_b(2, 1.0), 0.2, places=14)
        c = ref.ErlangC(2, 1 / 60, 60)
        self.assertAlmostEqual(c.wait_probability, 1 / 3, places=12)
        self.assertAlmostEqual(c.mean_wait(), 20, places=9)

    def test_bromley_worked_example(self):
        # 360 calls / 30 min, 240 s, 55 agents, 15 s: E_C 0.2387, ASA 8.184 s,
        # P(W <= 15 s) 0.8459 (Bromley's Erlang C tutorial).
        c = ref.ErlangC(55, 0.2, 240)
        self.assertAlmostEqual(c.wait_probability, 0.2387, delta=5e-5)
        self.assertAlmostEqual(c.mean_wait(), 8.184, delta=5e-4)
        self.assertAlmostEqual(c.service_level(15), 0.8459, delta=5e-5)
        self.assertEqual(ref.agents_required("erlang_c", 0.2, 240, 15, 0.8), 55)

    def test_halfin_whitt_at_ten_thousand_agents(self):
        # N = A + sqrt(A), A = 10,000: P(W > 0) -> 1 / (1 + Phi(1)/phi(1)).
        limit = 1 / (1 + Phi(1) / phi(1))
        c = ref.ErlangC(10_100, 100, 100)
        self.assertAlmostEqual(c.wait_probability, limit, delta=0.003)

    def test_saturated_and_empty(self):
        c = ref.ErlangC(10, 0.1, 100)  # A = N = 10
        self.assertTrue(c.saturated)
        self.assertEqual(c.mean_wait(), math.inf)
        idle = ref.ErlangC(5, 0, 100)
        self.assertEqual(idle.wait_probability, 0)
        self.assertEqual(idle.service_level(20), 1)


class ErlangA(unittest.TestCase):
    def test_patience_equal_to_handle_time_is_m_m_infinity(self):
        # theta = mu: K ~ Poisson(A); P(W > 0) = P(K >= N), P(Ab) = E[(K-N)+]/A.
        a, n = 10.0, 10
        pk = [math.exp(-a) * a ** k / math.factorial(k) for k in range(80)]
        m = ref.ErlangA(n, a / 300, 300, 300)
        self.assertAlmostEqual(sum(pk[:n]), 0.457930, delta=1e-6)  # Poisson tables
        self.assertAlmostEqual(m.wait_probability, 1 - sum(pk[:n]), places=12)
        excess = sum((k - n) * p for k, p in enumerate(pk) if k > n)
        self.assertAlmostEqual(m.abandon_probability(), excess / a, places=12)
        self.assertAlmostEqual(m.mean_wait(), excess / a * 300, places=9)

    def test_tends_to_erlang_c(self):
        m = ref.ErlangA(55, 0.2, 240, 1e9)
        self.assertAlmostEqual(m.wait_probability, 0.2387, delta=5e-5)
        self.assertAlmostEqual(m.mean_wait(), 8.184, delta=5e-4)
        self.assertAlmostEqual(m.mean_answered_wait(), 8.184, delta=5e-4)
        self.assertAlmostEqual(m.service_level(15), 0.8459, delta=5e-5)

    def test_garnett_mandelbaum_reiman_limit(self):
        # N = R + 0.5 sqrt(R), R = 10,000, theta/mu = 1/4 (GMR 2002).
        h = lambda x: phi(x) / (1 - Phi(x))
        wait = 1 / (1 + 0.5 * h(1) / h(-0.5))
        m = ref.ErlangA(10_050, 100, 100, 400)
        self.assertAlmostEqual(m.wait_probability, wait, delta=0.01 * wait)
        abandon = wait * 0.5 * (h(1) - 1) / math.sqrt(10_050)
        self.assertAlmostEqual(m.abandon_probability(), abandon, delta=0.01 * abandon)

    def test_fluid_limit_far_above_capacity(self):
        # rho = 1.2 at N = 2,000: P(Ab) -> 1 - 1/rho, E[W] = P(Ab) / theta.
        m = ref.ErlangA(2000, 12, 200, 100)
        self.assertAlmostEqual(m.abandon_probability(), 1 / 6, delta=1e-6)
        self.assertAlmostEqual(m.mean_wait(), 100 / 6, delta=1e-4)

    def test_zero_agents(self):
        m = ref.ErlangA(0, 0.1, 100, 60)
        self.assertAlmostEqual(m.wait_probability, 1.0, places=12)
        self.assertAlmostEqual(m.abandon_probability(), 1.0, places=12)
        self.assertIsNone(m.mean_answered_wait())
        self.assertAlmostEqual(m.service_level(20, "removed_within"), 1 - math.exp(-1 / 3),
                               places=9)

    def test_service_level_variants_are_consistent(self):
        m = ref.ErlangA(50, 0.25, 180, 120)
        sl_all = m.service_level(20)
        self.assertAlmostEqual(m.service_level(20, "answered_only"),
                               sl_all / (1 - m.abandon_probability()), places=12)
        self.assertGreater(m.service_level(20, "removed_within"), sl_all)
        # T = 0: answered within 0 s = answered at once = 1 - P(W > 0).
        self.assertAlmostEqual(m.service_level(0), 1 - m.wait_probability, places=12)


if __name__ == "__main__":
    unittest.main()
