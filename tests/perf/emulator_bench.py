"""Throughput / latency benchmark of the Applivery MDM API emulator (loopback only).

Run: ``PYTHONPATH=tests python tests/perf/emulator_bench.py [--tokens 100000] [--threads 4] [--seconds 20]``

Starts the emulator, injects the tokens through the control API, then measures list-page
latency at page 1 and at a deep page, and the request rate of a mixed GET load over
keep-alive connections from a few client threads (bounded in count and in time).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
import urllib.parse

import requests

from emulator.harness import ADMIN_TOKEN, EmulatorProcess

ORG = "acme"
PLATFORM = "apple"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
TOKENS = f"/v1/organizations/{ORG}/mdm/{PLATFORM}/enterprise/enrollment-tokens"


def percentile(samples: list, pct: float) -> float:
    """Nearest-rank percentile in milliseconds."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, int(round(pct / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def timed_gets(session, url: str, params: dict, count: int) -> list:
    """Latencies (ms) of ``count`` identical GETs."""
    out = []
    for _n in range(count):
        started = time.perf_counter()
        resp = session.get(url, params=params, headers=AUTH, timeout=30)
        out.append((time.perf_counter() - started) * 1000.0)
        if resp.status_code != 200:
            raise RuntimeError(f"GET {url} {params} -> {resp.status_code}: {resp.text[:200]}")
    return out


def inject(ctl, total: int, users: int, chunk: int) -> float:
    """Inject ``total`` tokens spread over ``users`` e-mails; returns seconds."""
    started = time.perf_counter()
    done = 0
    while done < total:
        size = min(chunk, total - done)
        specs = [{"email": f"bench{(done + i) % users}@example.com", "tags": ["bench"]} for i in range(size)]
        ctl.inject_tokens(ORG, PLATFORM, specs)
        done += size
    return time.perf_counter() - started


class KeepAliveClient:
    """Minimal HTTP/1.1 keep-alive GET client (http.client): far less client CPU than requests."""

    def __init__(self, base: str) -> None:
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def get(self, path: str, params=None) -> int:
        """GET and drain; returns the status (reconnects once if the server closed the connection)."""
        url = path + ("?" + urllib.parse.urlencode(params) if params else "")
        for attempt in (1, 2):
            try:
                self.conn.request("GET", url, headers=AUTH)
                resp = self.conn.getresponse()
                resp.read()
                return resp.status
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt == 2:
                    raise
        return 0

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def mixed_load(base: str, ids: list, user_ids: list, threads: int, max_requests: int, max_seconds: float, total_pages: int) -> dict:
    """Mixed GETs from ``threads`` keep-alive connections; stops at max_requests or max_seconds."""
    lock = threading.Lock()
    counter = {"sent": 0, "errors": 0}
    latencies: list = []
    deadline = time.perf_counter() + max_seconds
    users_path = f"/v1/organizations/{ORG}/mdm/users"
    policies_path = f"/v1/organizations/{ORG}/mdm/policies"

    def one(client, rng) -> int:
        kind = rng.random()
        if kind < 0.35:
            return client.get(TOKENS, {"page": rng.randint(1, total_pages), "limit": 20})
        if kind < 0.60:
            return client.get(f"{TOKENS}/{rng.choice(ids)}")
        if kind < 0.80:
            return client.get(TOKENS, {"mdm-user": rng.choice(user_ids), "limit": 20})
        if kind < 0.95:
            return client.get(users_path, {"email": f"bench{rng.randint(0, 999)}@example.com"})
        return client.get(policies_path, {"name": "Corporate"})

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        client = KeepAliveClient(base)
        local = []
        while time.perf_counter() < deadline:
            with lock:
                if counter["sent"] >= max_requests:
                    break
                counter["sent"] += 1
            started = time.perf_counter()
            status = one(client, rng)
            local.append((time.perf_counter() - started) * 1000.0)
            if status != 200:
                with lock:
                    counter["errors"] += 1
        client.close()
        with lock:
            latencies.extend(local)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "errors": counter["errors"],
        "seconds": round(elapsed, 2),
        "req_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
    }


def main(argv=None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=1000, help="distinct e-mails the tokens are spread over")
    parser.add_argument("--chunk", type=int, default=100_000, help="tokens per inject call")
    parser.add_argument("--samples", type=int, default=200, help="GETs per latency measurement")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--requests", type=int, default=20_000, help="upper bound of mixed-load requests")
    parser.add_argument("--seconds", type=float, default=15.0, help="upper bound of mixed-load duration")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    args = parser.parse_args(argv)

    results: dict = {"tokens": args.tokens}
    with EmulatorProcess() as emu:
        ctl = emu.control
        results["inject_s"] = round(inject(ctl, args.tokens, args.users, args.chunk), 2)
        session = requests.Session()
        first = session.get(emu.url + TOKENS, params={"limit": 100}, headers=AUTH, timeout=60).json()["data"]
        results["total_docs"] = first["totalDocs"]
        deep = min(900, first["totalPages"])
        for label, params in (("page1_limit100", {"page": 1, "limit": 100}), (f"page{deep}_limit100", {"page": deep, "limit": 100}),
                              ("page1_limit20", {"page": 1, "limit": 20})):
            timed_gets(session, emu.url + TOKENS, params, 10)
            samples = timed_gets(session, emu.url + TOKENS, params, args.samples)
            results[label] = {"p50_ms": round(statistics.median(samples), 2), "p95_ms": round(percentile(samples, 95), 2)}
        states = ctl.state_users(ORG)
        user_ids = [u["id"] for u in states if u["email"].startswith("bench")]
        sample_ids = [t["id"] for t in session.get(emu.url + TOKENS, params={"page": deep, "limit": 100}, headers=AUTH, timeout=60)
                      .json()["data"]["items"]]
        results["mixed_get_load"] = mixed_load(emu.url, sample_ids, user_ids, args.threads, args.requests, args.seconds,
                                               max(1, first["totalDocs"] // 20))
        results["mixed_get_load"]["threads"] = args.threads
        session.close()
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"tokens injected           : {args.tokens} in {results['inject_s']} s (totalDocs {results['total_docs']})")
        for key, value in results.items():
            if key.startswith("page"):
                print(f"list {key:<21}: p50 {value['p50_ms']} ms, p95 {value['p95_ms']} ms")
        load = results["mixed_get_load"]
        print(f"mixed GET load            : {load['req_per_s']} req/s ({load['requests']} requests, {load['threads']} threads, "
              f"{load['seconds']} s, errors {load['errors']}, p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
