"""How fast `handouts serve` answers: the warm full-handout request time (median and
95th percentile over 50 requests), then 4 clients at once (25 requests each),
against 127.0.0.1 only. Prints each figure with PASS or MISS; exits 1 on a MISS.

    .venv/bin/python benchmarks/serve_bench.py
"""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

MEDIAN_MS, P95_MS = 120, 250


def main() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "handouts", "serve", "--no-browser",
                             "--port", str(port)], stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip().removeprefix("Serving on ")
        token = url.split("token=")[1]
        base = f"http://127.0.0.1:{port}"
        body = json.dumps({"muscle": "piriformis", "template": "full",
                           "patient": "Bench Mark"}).encode()

        def one() -> float:
            req = urllib.request.Request(f"{base}/api/handouts", data=body, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            t = time.perf_counter()
            with urllib.request.urlopen(req, timeout=60) as r:
                assert r.status == 200 and r.read(4) == b"%PDF"
            return (time.perf_counter() - t) * 1000

        for _ in range(6):
            one()  # every worker warm
        times = sorted(one() for _ in range(50))
        median, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
        t = time.perf_counter()
        errors = 0
        with ThreadPoolExecutor(4) as pool:
            for f in [pool.submit(one) for _ in range(100)]:
                try:
                    f.result()
                except Exception:
                    errors += 1
        wall = time.perf_counter() - t
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    ok = median <= MEDIAN_MS and p95 <= P95_MS and errors == 0
    print(f"warm full handout, one client:  median {median:6.1f} ms (target <= {MEDIAN_MS}) "
          f"{'PASS' if median <= MEDIAN_MS else 'MISS'}")
    print(f"                                95th   {p95:6.1f} ms (target <= {P95_MS}) "
          f"{'PASS' if p95 <= P95_MS else 'MISS'}")
    print(f"4 clients x 25 requests:        {100 / wall:6.1f} handouts/s, {errors} errors "
          f"{'PASS' if errors == 0 else 'MISS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
