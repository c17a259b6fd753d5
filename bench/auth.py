"""Anonymous sign-up and sign-in floods against a running server (issue 9: "200 concurrent
anonymous registrations and 200 concurrent sign-ins keep RSS under 300 MB and /healthz
answering in under 50 ms").

    python3 bench/auth.py PORT PID SMS_OUTBOX [N]

Each of N clients comes from its own loopback address (127.0.1.x, all of 127/8 is
loopback on Linux), as N phones would, so per-address quotas do not hide the load:
  1. every client asks for a sign-up code (the server writes them to SMS_OUTBOX);
  2. all N register at once, each with the code its number was sent;
  3. all N sign in at once.
Meanwhile /healthz is asked every 10 ms and the server's RSS read from /proc every
20 ms. Prints one JSON object with the figures, and exits 1 if a bound is broken.
"""

import http.client
import json
import sys
import threading
import time

port, pid, outbox = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 200
PASSWORD = "bench password 2026"


def address(i):
    return f"127.0.1.{1 + i % 250}" if i < 250 else f"127.0.2.{1 + i % 250}"


def post(i, path, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(address(i), 0))
    c.request("POST", path, json.dumps(body), {"content-type": "application/json"})
    r = c.getresponse()
    r.read()
    c.close()
    return r.status


def mobile(i):
    return f"1370{i:07d}"


rss_max = [0]
health = []
stop = threading.Event()


def watch():
    while not stop.is_set():
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss_max[0] = max(rss_max[0], int(line.split()[1]) * 1024)
        time.sleep(0.02)


def probe():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=("127.0.3.1", 0))
    while not stop.is_set():
        t = time.perf_counter()
        c.request("GET", "/healthz")
        c.getresponse().read()
        health.append((time.perf_counter() - t) * 1000)
        time.sleep(0.01)


def flood(label, fn):
    barrier = threading.Barrier(n)
    statuses = [None] * n

    def run(i):
        barrier.wait()
        statuses[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    counts = {}
    for s in statuses:
        counts[str(s)] = counts.get(str(s), 0) + 1
    return {"phase": label, "seconds": round(time.perf_counter() - t, 2), "statuses": counts}


rss_start = None
with open(f"/proc/{pid}/status") as f:
    rss_start = next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmRSS:"))
watchers = [threading.Thread(target=watch), threading.Thread(target=probe)]
for w in watchers:
    w.start()

phases = [flood("code requests", lambda i: post(i, "/api/v1/citizens/codes", {"mobile": mobile(i)}))]
codes = {}
with open(outbox) as f:
    for line in f:
        m = json.loads(line)
        digits = "".join(ch if ch.isdigit() else " " for ch in m["text"]).split()
        six = [d for d in digits if len(d) == 6]
        if six:
            codes[m["to"]] = six[0]
phases.append(flood("registrations", lambda i: post(i, "/api/v1/citizens", {
    "mobile": mobile(i), "code": codes.get(mobile(i), "000000"), "password": PASSWORD})))
phases.append(flood("sign-ins", lambda i: post(i, "/api/v1/session", {
    "username": mobile(i), "password": PASSWORD})))
stop.set()
for w in watchers:
    w.join()

health.sort()
result = {
    "clients": n,
    "phases": phases,
    "rss_start_mb": round(rss_start / 2**20, 1),
    "rss_max_mb": round(rss_max[0] / 2**20, 1),
    "healthz_ms": {
        "count": len(health),
        "p50": round(health[len(health) // 2], 2),
        "p99": round(health[int(len(health) * 0.99)], 2),
        "max": round(health[-1], 2),
    },
}
result["ok"] = result["rss_max_mb"] < 300 and result["healthz_ms"]["max"] < 50
print(json.dumps(result, ensure_ascii=False, indent=1))
sys.exit(0 if result["ok"] else 1)
