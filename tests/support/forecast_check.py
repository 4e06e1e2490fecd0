"""Checks ccmond's forecast gauges against tests/support/erlang_reference.py.

The daemon exposes the inputs its models used (ccmon_forecast_arrival_rate,
_handle_time_seconds, _patience_seconds, ccmon_agents_serving); from those
alone, the independent Python reference computes P(wait), the mean wait and
the agents required, which must equal the daemon's own gauges. The C++ output
is never an expected value here.
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import erlang_reference as ref  # noqa: E402
from ccmond import metric  # noqa: E402

REL = 1e-6  # the two implementations agree far closer than this (self-test: 1e-9)


def close(a, b, rel=REL, abs_=1e-9):
    if a is None or b is None:
        return a is b
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def check_series(samples, queue, channel, threshold=20.0, target=0.8, concurrency=1):
    """Compares one series' forecast gauges with the reference. Returns a
    dict of what was compared ({quantity: (daemon, reference)}) and a list of
    mismatches (empty when all agree). Gauges absent because an input is
    undefined must be absent on both sides."""
    labels = dict(queue=queue, channel=channel)
    lam = metric(samples, "ccmon_forecast_arrival_rate", **labels)
    aht = metric(samples, "ccmon_forecast_handle_time_seconds", **labels)
    patience = metric(samples, "ccmon_forecast_patience_seconds", **labels)
    serving = metric(samples, "ccmon_agents_serving", **labels)
    compared, bad = {}, []

    def cmp(name, daemon, reference, rel=REL):
        compared[name] = (daemon, reference)
        if not close(daemon, reference, rel):
            bad.append(f"{queue}/{channel} {name}: daemon {daemon} reference {reference}")

    def gauge(name, model):
        return metric(samples, name, model=model, **labels)

    if lam is None or aht is None or serving is None:
        for name in ("ccmon_estimated_wait_seconds", "ccmon_wait_probability",
                     "ccmon_agents_required"):
            for model in ("erlang_c", "erlang_a"):
                cmp(f"{name}{{{model}}} absent", gauge(name, model), None)
        return compared, bad
    servers = int(serving) * concurrency
    c = ref.ErlangC(servers, lam, aht)
    cmp("erlang_c wait_probability", gauge("ccmon_wait_probability", "erlang_c"),
        c.wait_probability)
    cmp("erlang_c estimated_wait", gauge("ccmon_estimated_wait_seconds", "erlang_c"),
        c.mean_wait())
    req_c = ref.agents_required("erlang_c", lam, aht, threshold, target)
    req_c = None if req_c is None else -(-req_c // concurrency)
    cmp("erlang_c agents_required", gauge("ccmon_agents_required", "erlang_c"), req_c)
    if patience is None:
        cmp("erlang_a absent", gauge("ccmon_wait_probability", "erlang_a"), None)
        return compared, bad
    a = ref.ErlangA(servers, lam, aht, patience)
    cmp("erlang_a wait_probability", gauge("ccmon_wait_probability", "erlang_a"),
        a.wait_probability)
    cmp("erlang_a estimated_wait", gauge("ccmon_estimated_wait_seconds", "erlang_a"),
        a.mean_wait())
    req_a = ref.agents_required("erlang_a", lam, aht, threshold, target, patience=patience)
    req_a = None if req_a is None else -(-req_a // concurrency)
    cmp("erlang_a agents_required", gauge("ccmon_agents_required", "erlang_a"), req_a)
    if req_a is not None:
        cmp("erlang_a agents_short", gauge("ccmon_agents_short", "erlang_a"),
            req_a - int(serving))
    return compared, bad
