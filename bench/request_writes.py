"""Issue 24: page views that change nothing, with the audit seal after every commit (as before)
and in the background (now), on SQLite and PostgreSQL.

    .venv/bin/python bench/request_writes.py [sqlite] [postgres]

Builds a small demo (``--members``, default 5,000) in a temporary folder (SQLite) or in the
database DANGBO_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/bench_reqwrites,
created if missing, reset by the demo), then for each mode starts ``dangbo serve`` (8 threads)
with ``DANGBO_AUDIT_SEAL_SECONDS`` 0 (seal after each commit) or 2 (the background thread),
signs in ``USERS`` clients as the demo's provincial leader (retrying on 503 while hashing is saturated)
and has them open member profiles (each view writes one audit row) back to back for
``SECONDS``. Reported: requests per second, median and 95th percentile, errors, how many audit
rows were still unsealed when the run ended and 3 s later. Results: bench/results/request_writes.md.
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_URL = os.environ.get("DANGBO_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/bench_reqwrites")
MEMBERS = int(os.environ.get("BENCH_MEMBERS", 5000))
USERS = int(os.environ.get("BENCH_USERS", 12))
SECONDS = float(os.environ.get("BENCH_SECONDS", 20))
DANGBO = [sys.executable, "-m", "dangbo.cli"]
USERNAME, PASSWORD = "lanhdao", "lanhdao-demo-2021"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(env: dict, code: str) -> str:
    """Run ``code`` in a Django shell of the bench's database; its printed output."""
    return (
        subprocess.run(
            [*DANGBO, "manage", "shell", "-c", code], env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )


def member_ids(env: dict) -> list[str]:
    code = "from dangbo.members.models import Member; print(' '.join(str(p) for p in Member.objects.values_list('pk', flat=True)[:500]))"
    return query(env, code).split()


def unsealed(env: dict) -> int:
    code = "from dangbo.audit.models import AuditEntry; print(AuditEntry.objects.filter(chain_seq__isnull=True).count())"
    return int(query(env, code))


def sign_in(base: str) -> tuple[requests.Session, int]:
    """A signed-in session; how many 503 answers it met on the way (hashing saturated)."""
    session, busy = requests.Session(), 0
    while True:
        page = session.get(f"{base}/dang-nhap/", timeout=60).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        response = session.post(
            f"{base}/dang-nhap/",
            data={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token},
            allow_redirects=False,
            timeout=60,
        )
        if response.status_code == 503:
            busy += 1
            time.sleep(float(response.headers.get("Retry-After", 1)) * random.random())
            continue
        assert response.status_code == 302, response.status_code
        return session, busy


def run_mode(env: dict, seal_seconds: str, ids: list[str]) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_env = dict(env, DANGBO_AUDIT_SEAL_SECONDS=seal_seconds, DANGBO_REQUEST_LOG_LEVEL="ERROR")
    server = subprocess.Popen(
        [*DANGBO, "serve", "--no-migrate", "--port", str(port)],
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                requests.get(f"{base}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        signed_in, busy = [], []
        started_sign_in = time.monotonic()
        lock = threading.Lock()

        def one_sign_in():
            session, retries = sign_in(base)
            with lock:
                signed_in.append(session)
                busy.append(retries)

        threads = [threading.Thread(target=one_sign_in) for _ in range(USERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sign_in_seconds = time.monotonic() - started_sign_in
        latencies: list[float] = []
        errors = [0]
        stop = time.monotonic() + SECONDS

        def browse(session: requests.Session):
            rng = random.Random(id(session))
            while time.monotonic() < stop:
                began = time.perf_counter()
                status = session.get(f"{base}/dang-vien/{rng.choice(ids)}/", timeout=60).status_code
                with lock:
                    latencies.append(time.perf_counter() - began)
                    errors[0] += status != 200

        threads = [threading.Thread(target=browse, args=(s,)) for s in signed_in]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        left = unsealed(env)
        time.sleep(3)
        left_later = unsealed(env)
    finally:
        server.terminate()
        server.wait(30)
    latencies.sort()
    return {
        "seal": "after each commit" if seal_seconds == "0" else f"background, every {seal_seconds} s",
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
        "errors": errors[0],
        "sign_in_s": sign_in_seconds,
        "sign_in_503": sum(busy),
        "unsealed_at_end": left,
        "unsealed_3s_later": left_later,
    }


def build(engine: str, tmp: str) -> dict:
    env = dict(os.environ, DANGBO_VAR_DIR=tmp, DANGBO_REQUIRE_2FA="0", PYTHONPATH=str(ROOT / "src"))
    if engine == "postgres":
        from run import ensure_pg_database

        ensure_pg_database(PG_URL)
        env["DANGBO_DATABASE_URL"] = PG_URL
    else:
        env["DANGBO_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    subprocess.run(
        [*DANGBO, "demo", "--no-serve", "--reset", "--members", str(MEMBERS)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return env


def main() -> int:
    engines = sys.argv[1:] or ["sqlite", "postgres"]
    results = {}
    for engine in engines:
        with tempfile.TemporaryDirectory() as tmp:
            env = build(engine, tmp)
            ids = member_ids(env)
            results[engine] = [run_mode(env, seconds, ids) for seconds in ("0", "2", "0", "2")]
            for row in results[engine]:
                print(engine, json.dumps(row), flush=True)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "# Page views and the audit seal (issue 24)",
        "",
        f"Command: `.venv/bin/python bench/request_writes.py {' '.join(engines)}`; {stamp}, {os.cpu_count()} cores",
        f"shared with other work (load average at the end {load}). A demo of {MEMBERS:,} members; `dangbo serve`",
        f"(8 threads); {USERS} clients signed in as the provincial leader, opening member profiles back to back",
        f"for {SECONDS:.0f} s (client and server on the same machine). Each mode ran twice, alternately.",
        "",
        "| engine | audit seal | requests/s | p50 | p95 | errors | sign-in of all clients (503 met) "
        "| unsealed at the end / 3 s later |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for engine, rows in results.items():
        for r in rows:
            lines.append(
                f"| {engine} | {r['seal']} | {r['per_second']:.1f} | {r['p50_ms']:.0f} ms | {r['p95_ms']:.0f} ms "
                f"| {r['errors']} | {r['sign_in_s']:.1f} s ({r['sign_in_503']}) "
                f"| {r['unsealed_at_end']} / {r['unsealed_3s_later']} |"
            )
    (RESULTS / "request_writes.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
