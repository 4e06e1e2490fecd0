"""Second, independent implementation of the Erlang C and Erlang A models.

ccmon computes its forecasts in core/forecast with closed forms (Erlang B
recursion, incomplete gamma functions). This module gets the same quantities
by a different route, with plain Python floats and no third-party package, so
that tests can check the daemon against something that does not share its
formulas:

* steady-state probabilities of the birth-death chain summed state by state
  in log space (math.lgamma, log-sum-exp), truncated where the tail is below
  1e-18 of the largest term;
* waiting-time quantities per state seen by an arrival (PASTA): Erlang C by
  Poisson sums of the Erlang(j+1, N mu) waiting time; Erlang A by first-step
  analysis (probability and mean time to service) and by uniformisation of the
  tagged contact's queue-position chain (service level within T).

Units: rates per second, times in seconds. Models and the service-level
variants are documented in docs/forecasting.md.

Used by tests/support/test_erlang_reference.py (its self-test against
published values) and by end-to-end tests that compare ccmond's forecast
gauges with it.
"""

import math

_TAIL = 1e-18  # truncate state sums once a term is below this share of the largest


def _logsumexp(values):
    top = max(values)
    if top == -math.inf:
        return -math.inf
    return top + math.log(math.fsum(math.exp(v - top) for v in values))


def erlang_b(agents, load):
    """Blocking probability of M/M/N/N: (A^N/N!) / sum_k A^k/k!, by direct sum."""
    if load == 0:
        return 0.0 if agents > 0 else 1.0
    logs = [k * math.log(load) - math.lgamma(k + 1) for k in range(agents + 1)]
    return math.exp(logs[-1] - _logsumexp(logs))


class ErlangC:
    """M/M/N with arrival rate lam (1/s) and mean handle time aht (s)."""

    def __init__(self, agents, lam, aht):
        self.agents, self.lam, self.aht = agents, lam, aht
        self.load = lam * aht
        self.saturated = lam > 0 and self.load >= agents
        if lam == 0:
            self._queue_weights = []
            self.wait_probability = 0.0
            return
        if self.saturated:
            self.wait_probability = 1.0
            return
        # Unnormalised log weights of states 0..N-1 and of N+j, j >= 0
        # (pi_{N+j} = pi_N rho^j), then normalised.
        a, n = self.load, agents
        low = [k * math.log(a) - math.lgamma(k + 1) for k in range(n)]
        log_pn = n * math.log(a) - math.lgamma(n + 1)
        rho = a / n
        queue = []
        j = 0
        while True:
            w = log_pn + j * math.log(rho)
            queue.append(w)
            if w < log_pn + math.log(_TAIL):
                break
            j += 1
        total = _logsumexp(low + queue)
        self._queue_weights = [math.exp(w - total) for w in queue]
        self.wait_probability = math.fsum(self._queue_weights)

    def service_level(self, threshold):
        """P(W <= T): an arrival finding N+j present waits Erlang(j+1, N/aht)."""
        if self.lam == 0:
            return 1.0
        if self.saturated:
            return 0.0
        rate_t = self.agents / self.aht * threshold
        # P(Erlang(j+1, r) > T) = P(Poisson(rT) <= j), accumulated over j.
        late = []
        cdf = 0.0
        for j, p in enumerate(self._queue_weights):
            if rate_t > 0:
                cdf += math.exp(j * math.log(rate_t) - rate_t - math.lgamma(j + 1))
            else:
                cdf = 1.0
            late.append(p * min(1.0, cdf))
        return 1.0 - math.fsum(late)

    def mean_wait(self):
        """E[W] = sum_j pi_{N+j} (j+1) aht / N; inf when saturated."""
        if self.lam == 0:
            return 0.0
        if self.saturated:
            return math.inf
        return math.fsum(p * (j + 1) * self.aht / self.agents
                         for j, p in enumerate(self._queue_weights))


class ErlangA:
    """M/M/N+M: arrival rate lam (1/s), mean handle time aht (s), mean patience (s)."""

    def __init__(self, agents, lam, aht, patience):
        self.agents, self.lam, self.aht, self.patience = agents, lam, aht, patience
        self.mu, self.theta = 1.0 / aht, 1.0 / patience
        n, mu, theta = agents, self.mu, self.theta
        if lam == 0:
            self.ahead = []
            self.wait_probability = 0.0
            return
        a = lam * aht
        low = [k * math.log(a) - math.lgamma(k + 1) for k in range(n)]
        log_w = n * math.log(a) - math.lgamma(n + 1)
        queue = [log_w]
        top = log_w
        j = 0
        while True:
            j += 1
            log_w += math.log(lam / (n * mu + j * theta))
            queue.append(log_w)
            top = max(top, log_w)
            if log_w < top + math.log(_TAIL) and lam < n * mu + j * theta:
                break
        total = _logsumexp(low + queue)
        # ahead[j]: probability that an arrival finds all agents busy and j waiting.
        self.ahead = [math.exp(w - total) for w in queue]
        self.wait_probability = math.fsum(self.ahead)

    def _first_step(self):
        """Per j: P(served | j ahead) and E[wait * 1{served} | j ahead]."""
        n_mu, theta = self.agents * self.mu, self.theta
        served, timed = [], []
        s_prev = m_prev = None
        for j in range(len(self.ahead)):
            advance = n_mu + j * theta  # next one ahead leaves, or (j = 0) an agent frees
            out = advance + theta  # ... or this contact gives up
            if j == 0:
                s = advance / out
                m = s / out
            else:
                s = advance / out * s_prev
                m = s / out + advance / out * m_prev
            served.append(s)
            timed.append(m)
            s_prev, m_prev = s, m
        return served, timed

    def abandon_probability(self):
        if self.lam == 0:
            return 0.0
        served, _ = self._first_step()
        return math.fsum(p * (1.0 - s) for p, s in zip(self.ahead, served))

    def mean_wait(self):
        """E[min(V, patience)] over all arrivals = P(Ab) / theta (Little + exp. patience)."""
        return self.abandon_probability() / self.theta

    def mean_answered_wait(self):
        """Mean wait of answered contacts (comparable with the ASA KPI); None if none served."""
        if self.lam == 0:
            return 0.0
        served, timed = self._first_step()
        p_served = (1.0 - self.wait_probability) + math.fsum(
            p * s for p, s in zip(self.ahead, served))
        if p_served <= 0:
            return None
        return math.fsum(p * m for p, m in zip(self.ahead, timed)) / p_served

    def _within(self, threshold):
        """(P(answered after waiting, by T), P(abandoned by T)) over all arrivals.

        Uniformisation of the tagged contact's chain: state j = contacts ahead;
        j -> j-1 at N mu + j theta (j = 0: served), abandon at theta.
        """
        n_mu, theta = self.agents * self.mu, self.theta
        jmax = len(self.ahead) - 1
        unif = n_mu + jmax * theta + theta
        mean = unif * threshold
        p = list(self.ahead)
        served = abandoned = 0.0
        # Poisson(mean) weights for step counts, computed in log space.
        kmax = int(mean + 12 * math.sqrt(mean) + 30)
        served_by, abandoned_by = [], []
        for _ in range(kmax + 1):
            served_by.append(served)
            abandoned_by.append(abandoned)
            nxt = [0.0] * len(p)
            for j, pj in enumerate(p):
                if pj == 0.0:
                    continue
                advance = (n_mu + j * theta) / unif
                quit_ = theta / unif
                if j == 0:
                    served += pj * advance
                else:
                    nxt[j - 1] += pj * advance
                abandoned += pj * quit_
                nxt[j] += pj * (1.0 - advance - quit_)
            p = nxt
        weights = [k * math.log(mean) - mean - math.lgamma(k + 1) if mean > 0 else
                   (0.0 if k == 0 else -math.inf) for k in range(kmax + 1)]
        w = [math.exp(x) for x in weights]
        return (math.fsum(wi * s for wi, s in zip(w, served_by)),
                math.fsum(wi * a for wi, a in zip(w, abandoned_by)))

    def service_level(self, threshold, basis="all"):
        """Answered within T: "all" / arrivals, "answered_only" / answered,
        "removed_within" (answered or abandoned within T) / arrivals."""
        if self.lam == 0:
            return 1.0
        served_late, abandoned_early = self._within(threshold)
        answered_within = (1.0 - self.wait_probability) + served_late
        if basis == "all":
            return answered_within
        if basis == "answered_only":
            answered = 1.0 - self.abandon_probability()
            return answered_within / answered if answered > 0 else None
        if basis == "removed_within":
            return answered_within + abandoned_early
        raise ValueError(f"unknown service-level basis {basis!r}")


def agents_required(model, lam, aht, threshold, target, patience=None, max_occupancy=None,
                    limit=100_000):
    """Smallest N >= 1 (0 when lam == 0) meeting the service level (basis "all")
    and, if given, occupancy = carried load / N <= max_occupancy. Linear scan."""
    if lam == 0:
        return 0
    for n in range(1, limit + 1):
        if model == "erlang_c":
            m = ErlangC(n, lam, aht)
            if m.saturated:
                continue
            sl, carried = m.service_level(threshold), lam * aht
        else:
            m = ErlangA(n, lam, aht, patience)
            sl = m.service_level(threshold)
            carried = lam * aht * (1.0 - m.abandon_probability())
        if sl >= target and (max_occupancy is None or carried / n <= max_occupancy):
            return n
    return None
