"""Benchmark: the Open311 GeoReport v2 intake (POST requests.json) over HTTP, under load.

    cd /work/main && .venv/bin/python bench/intake.py [--quick] [--connections 8]

Why: Open311 is how outside systems (12345 hotline, apps) hand cases to the platform; the
question is how many requests per second one small server takes in, and how long a client
waits, compared with the cheapest write a Django endpoint can do on the same stack.

Runs against a scratch database on the local PostgreSQL (postgres@127.0.0.1:5432), created,
migrated and loaded here (the Zhengzhou territory; grids only for 金水区, 上街区 and 郑东新区;
the demo Open311 client, api_key `demo-open311-key`) and dropped at the end, whatever happens.

The server: gunicorn, 2 sync workers, `config.wsgi:application` with bench/intake_settings.py
(the platform's settings plus one URL for the peer), development mode with DEBUG off, bound
to 127.0.0.1 on a free port. The load generator is this process: threads, each with its own
`http.client` connection (sync workers close the connection after each answer, so each
request opens a new TCP connection), posting form-encoded requests as fast as the answers
come (closed loop). It shares the machine's cores with gunicorn and PostgreSQL.

Ours: `POST /open311/v2/requests.json` with api_key, jurisdiction_id 4101, service_code
06010 (暴露垃圾), lat/long at a random point inside a populated grid (so every request
should get 201), description and address_string. Each makes a case (numbered, placed on
its grid, agency suggested, clock started, timeline event, ledger entry, outbox event).
The peer, in the same run on the same server: `POST /bench/peer` with the same bodies, a
bare Django view that inserts one row (an outbox event through the ORM) and answers 201.

Each target: warm-up requests first (not counted), then 3,000 requests (`--quick`: 500) or
60 s, whichever comes first. Printed: requests, failures, wall time, requests/s, p50/p95/p99
latency of the 201s, and the CPU each request cost in the gunicorn workers, the PostgreSQL
backends and the load generator (from /proc). Before the server starts, one request of each
is run in-process through Django's test client to count its SQL queries.

Target: ≥ 300 requests/s with p99 ≤ 200 ms on a 2-core machine (Zhengzhou's peak need is
about 3.3 requests/s). Reported as met or not met; the run fails only on failed requests or
when the cases in the database do not match the 201s.
"""

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from common import NoPostgres, scratch_database, territory_load

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]  # the platform, and intake_settings / intake_urls

GRID_UNITS = ("410105", "410106", "410190")  # 金水区, 上街区, 郑东新区
OPEN311_KEY = "demo-open311-key"
SERVICE_CODE = "06010"  # 暴露垃圾
OURS_PATH = "/open311/v2/requests.json"
PEER_PATH = "/bench/peer"
WORKERS = 2
REQUESTS, QUICK_REQUESTS = 3_000, 500
WARM_UP = 100
SECONDS = 60.0  # per target
IN_PROCESS_SAMPLES = 20
TARGET_RATE, TARGET_P99_MS = 300.0, 200.0
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def percentiles(samples_ms: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return statistics.median(samples_ms), cuts[94], cuts[98]


# -- setup -------------------------------------------------------------------------------


def database_url(scratch: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{scratch}"


def load(say) -> None:
    from chengguan.open311.services import client_for_key, client_register

    started = time.perf_counter()
    grids = territory_load(GRID_UNITS, say)
    if client_for_key(OPEN311_KEY) is None:  # demo_load registers it; make sure
        client_register(name="基准测试客户端", api_key=OPEN311_KEY, username="bench-open311")
    say(
        f"territory, catalogue, demo users, Open311 client and {grids} grids"
        f" ({', '.join(GRID_UNITS)}) loaded in {time.perf_counter() - started:.1f} s"
    )


def random_points(n: int, rng: random.Random) -> list[tuple[float, float]]:
    """Points inside populated grids (weighted by population), so every report is placed."""
    import shapely

    from chengguan.org.models import Grid

    grids = list(Grid.objects.filter(region_code__in=GRID_UNITS, population__gt=0))
    chosen = rng.choices(grids, weights=[g.population for g in grids], k=n)
    points = []
    for grid in chosen:
        geometry = grid.geometry
        x0, y0, x1, y1 = geometry.bounds
        while True:
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if shapely.contains_xy(geometry, x, y):
                points.append((x, y))
                break
    return points


def request_forms(points: list[tuple[float, float]]) -> list[dict[str, str]]:
    return [
        {
            "api_key": OPEN311_KEY,
            "jurisdiction_id": "4101",
            "service_code": SERVICE_CODE,
            "lat": repr(lat),  # full precision: a rounded point near the edge could fall out
            "long": repr(lon),
            "description": f"路边有暴露垃圾，请尽快清理（基准测试 {i}）",
            "address_string": f"基准测试路 {i} 号",
        }
        for i, (lon, lat) in enumerate(points)
    ]


# -- in-process: SQL queries and time per request, without HTTP ----------------------------


def in_process(path: str, forms: list[dict[str, str]]) -> tuple[int, float]:
    """(SQL queries of one request in steady state, median ms) via Django's test client."""
    from django.db import connection
    from django.test import Client

    client = Client()
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    def post(form) -> None:
        response = client.post(path, form)
        assert response.status_code == 201, (response.status_code, response.content[:300])

    post(forms[0])  # builds the per-process caches (grid index, calendar)
    # Not CaptureQueriesContext: the request_started signal empties the log it reads.
    with connection.execute_wrapper(count):
        post(forms[1])
    times = []
    for form in forms[2:]:
        started = time.perf_counter()
        post(form)
        times.append((time.perf_counter() - started) * 1000)
    return queries, statistics.median(times)


# -- the server ----------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_start(scratch: str, port: int, log) -> subprocess.Popen:
    env = os.environ | {
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "0",  # DEBUG on would keep every query in memory
        "DJANGO_SETTINGS_MODULE": "intake_settings",
        "DATABASE_URL": database_url(scratch),
        # Keep each worker's connection (and its PostgreSQL backend) for the whole run, so
        # the backends' CPU can be read from /proc; the default 60 s changes nothing else.
        "DATABASE_CONN_MAX_AGE": "600",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        "--no-control-socket",  # else gunicorn 27 leaves a socket in ~/.gunicorn
        "config.wsgi:application",
    ]
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def server_wait(server: subprocess.Popen, port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    raise RuntimeError(f"/healthz did not answer within {seconds:.0f} s")


def server_stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()  # gunicorn's master stops its workers on SIGTERM
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# -- CPU per request, from /proc ---------------------------------------------------------


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # fields[0] is the state (field 3 of stat)
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@dataclass
class CpuSnapshot:
    workers: dict[int, float]
    backends: dict[int, float]
    generator: float
    machine_busy: float


def cpu_snapshot(server_pid: int, admin, scratch: str) -> CpuSnapshot:
    backends = [
        row[0]
        for row in admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (scratch,)
        ).fetchall()
    ]

    def read(pids):
        return {pid: cpu for pid in pids if (cpu := process_cpu(pid)) is not None}

    with open("/proc/stat", encoding="ascii") as f:
        ticks = [int(v) for v in f.readline().split()[1:9]]
    busy = (sum(ticks) - ticks[3] - ticks[4]) / CLK_TCK  # minus idle and iowait
    return CpuSnapshot(read(children(server_pid)), read(backends), time.process_time(), busy)


def cpu_ms_per_request(before: CpuSnapshot, after: CpuSnapshot, n: int) -> dict[str, float]:
    def grown(old, new):  # a process born during the run counts from zero
        return sum(cpu - old.get(pid, 0.0) for pid, cpu in new.items())

    return {
        "workers": grown(before.workers, after.workers) * 1000 / n,
        "postgres": grown(before.backends, after.backends) * 1000 / n,
        "generator": (after.generator - before.generator) * 1000 / n,
        "machine": (after.machine_busy - before.machine_busy) * 1000 / n,
    }


# -- the load generator ------------------------------------------------------------------


@dataclass
class Run:
    name: str
    sent: int = 0
    latencies_ms: list[float] = field(default_factory=list)  # of the 201s
    failures: Counter = field(default_factory=Counter)
    failure_samples: list[str] = field(default_factory=list)
    wall: float = 0.0
    timed_out: bool = False
    warm_ok: int = 0  # 201s during the warm-up (they made cases too)
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> int:
        return len(self.latencies_ms)

    @property
    def rate(self) -> float:
        return self.ok / self.wall if self.wall else 0.0


def fire(port: int, path: str, bodies: list[bytes], connections: int, seconds: float, run: Run):
    """Post every body (or until `seconds` pass) from `connections` threads; fills `run`."""
    lock = threading.Lock()
    jobs = iter(bodies)
    started = time.perf_counter()
    deadline = started + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        done: list[tuple[float, int | str, bytes]] = []
        while True:
            with lock:
                body = next(jobs, None)
            if body is None:
                break
            t0 = time.perf_counter()
            if t0 > deadline:
                run.timed_out = True
                break
            try:
                conn.request("POST", path, body=body, headers=FORM)
                response = conn.getresponse()
                status, answer = response.status, response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                status, answer = type(exc).__name__, b""
            done.append(((time.perf_counter() - t0) * 1000, status, answer))
        conn.close()
        with lock:
            for ms, status, answer in done:
                run.sent += 1
                if status == 201:
                    run.latencies_ms.append(ms)
                else:
                    run.failures[status] += 1
                    if len(run.failure_samples) < 3:
                        run.failure_samples.append(f"{status}: {answer[:300]!r}")

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.wall = time.perf_counter() - started
    return run


def measure(name, path, forms, *, port, connections, seconds, cpu_probe, warm_up) -> Run:
    """Warm up (not counted), then the measured run with its CPU per request."""
    bodies = [urlencode(form).encode() for form in forms]
    warm = fire(port, path, bodies[:warm_up], connections, seconds, Run(f"{name} warm-up"))
    before = cpu_probe()
    run = fire(port, path, bodies[warm_up:], connections, seconds, Run(name))
    if run.sent:
        run.cpu = cpu_ms_per_request(before, cpu_probe(), run.sent)
    run.warm_ok = warm.ok
    run.failures.update({f"{k} (warm-up)": v for k, v in warm.failures.items()})
    run.failure_samples += warm.failure_samples
    return run


# -- report --------------------------------------------------------------------------------


def describe(run: Run, say) -> None:
    p50, p95, p99 = percentiles(run.latencies_ms) if len(run.latencies_ms) > 1 else (0, 0, 0)
    stop = "time bound reached" if run.timed_out else "all requests sent"
    failed = sum(run.failures.values())
    say(
        f"  {run.name}: {run.sent:,} requests in {run.wall:.1f} s ({stop}), {run.ok:,} × 201,"
        f" {failed} failed"
    )
    say(
        f"    {run.rate:.1f} requests/s; latency p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms"
    )
    if run.cpu:
        c = run.cpu
        rest = c["machine"] - c["workers"] - c["postgres"] - c["generator"]
        say(
            f"    CPU per request: gunicorn workers {c['workers']:.2f} ms, PostgreSQL backends"
            f" {c['postgres']:.2f} ms, load generator {c['generator']:.2f} ms, rest of the"
            f" machine {rest:.2f} ms (kernel, PostgreSQL's WAL writer, any other load)"
        )
    for status, count in run.failures.items():
        say(f"    failed: {status} × {count}")
    for sample in run.failure_samples:
        say(f"    e.g. {sample}")


def verdict(run: Run) -> str:
    p99 = percentiles(run.latencies_ms)[2] if len(run.latencies_ms) > 1 else float("inf")
    rate_ok, p99_ok = run.rate >= TARGET_RATE, p99 <= TARGET_P99_MS
    return (
        f"≥ {TARGET_RATE:g} requests/s: {run.rate:.1f} {'met' if rate_ok else 'NOT met'};"
        f" p99 ≤ {TARGET_P99_MS:g} ms: {p99:.1f} ms {'met' if p99_ok else 'NOT met'}"
    )


def summary(ours: Run, peer: Run, say) -> None:
    say("\n== summary " + "=" * 68)
    head = f"{'':<22} {'requests':>8} {'failed':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    say(head)
    say("-" * len(head))
    for run in (ours, peer):
        p50, p95, p99 = percentiles(run.latencies_ms) if run.ok > 1 else (0, 0, 0)
        say(
            f"{run.name:<22} {run.sent:>8,} {sum(run.failures.values()):>6} {run.rate:>7.1f}"
            f" {p50:>7.1f} {p95:>7.1f} {p99:>7.1f}"
        )
    if peer.rate:
        say(f"ours takes in {ours.rate / peer.rate:.0%} of the peer's requests/s")
    say(f"target (ours): {verdict(ours)}")


# -- main ------------------------------------------------------------------------------


def run_all(args, scratch: str, admin, say) -> bool:
    load(say)
    n = QUICK_REQUESTS if args.quick else REQUESTS
    # Distinct bodies (prepared before any clock starts) for each of the four uses.
    probe, loaded = IN_PROCESS_SAMPLES + 2, WARM_UP + n
    forms = request_forms(random_points(2 * probe + 2 * loaded, random.Random(args.seed)))
    ours_probe, peer_probe = forms[:probe], forms[probe : 2 * probe]
    ours_forms, peer_forms = forms[2 * probe :][:loaded], forms[2 * probe + loaded :]

    say("\n== in-process, Django test client (no HTTP server) " + "=" * 27)
    ours_q, ours_ms = in_process(OURS_PATH, ours_probe)
    peer_q, peer_ms = in_process(PEER_PATH, peer_probe)
    say(f"  ours: SQL statements per request {ours_q} (+ BEGIN/COMMIT), median {ours_ms:.1f} ms")
    say(f"  peer: SQL statements per request {peer_q}, median {peer_ms:.1f} ms")

    from django.db import connections

    connections.close_all()
    say(
        f"\n== over HTTP: gunicorn, {WORKERS} sync workers; {args.connections} client threads"
        f" on the same machine; {n:,} requests or {SECONDS:g} s per target " + "=" * 4
    )
    with tempfile.NamedTemporaryFile("w+", prefix="intake-gunicorn-", suffix=".log") as log:
        ours, peer = serve_and_measure(args, scratch, admin, log, (ours_forms, peer_forms), say)
    summary(ours, peer, say)
    return counts_agree(ours, peer, ours_probe, peer_probe, say)


def serve_and_measure(args, scratch, admin, log, forms, say) -> tuple[Run, Run]:
    """Start gunicorn, load it with ours then the peer, stop it; report server errors."""
    port = free_port()
    server = server_start(scratch, port, log)
    try:
        server_wait(server, port)
        common = {
            "port": port,
            "connections": args.connections,
            "seconds": SECONDS,
            "warm_up": WARM_UP,
            "cpu_probe": lambda: cpu_snapshot(server.pid, admin, scratch),
        }
        ours = measure("ours (Open311 POST)", OURS_PATH, forms[0], **common)
        describe(ours, say)
        peer = measure("peer (bare insert)", PEER_PATH, forms[1], **common)
        describe(peer, say)
    finally:
        server_stop(server)
        log.seek(0)
        errors = [line.rstrip() for line in log if "Traceback" in line or "ERROR" in line]
        if errors:
            say(f"  server log: {len(errors)} error lines, the first: {errors[0]}")
    return ours, peer


def counts_agree(ours: Run, peer: Run, ours_probe, peer_probe, say) -> bool:
    from intake_urls import PEER_TOPIC

    from chengguan.cases.models import Case
    from chengguan.core.models import OutboxEvent

    cases = Case.objects.count()
    rows = OutboxEvent.objects.filter(topic=PEER_TOPIC).count()
    want_cases = ours.ok + ours.warm_ok + len(ours_probe)
    want_rows = peer.ok + peer.warm_ok + len(peer_probe)
    say(
        f"scratch database: {cases:,} cases for {want_cases:,} × 201 (in-process, warm-up and"
        f" measured); {rows:,} peer rows for {want_rows:,} × 201"
    )
    failed = sum(ours.failures.values()) + sum(peer.failures.values())
    return cases == want_cases and rows == want_rows and not failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_REQUESTS} per target")
    parser.add_argument("--connections", type=int, default=8, help="client threads")
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args()

    def say(line: str) -> None:
        print(line, flush=True)

    try:
        with scratch_database(
            "intake_bench", say, quick=args.quick, settings_module="intake_settings"
        ) as (scratch, admin):
            ok = run_all(args, scratch, admin, say)
    except NoPostgres as error:
        print(error, file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
