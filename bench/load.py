"""Load test: signed-in users browsing one server, timed from outside with locust.

Usage (the database must already hold a generated province):

    DANGBO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench500k \\
    DANGBO_VAR_DIR=/work/benchdata/pg500k \\
        .venv/bin/python bench/load.py --users 50 --duration 600 [--workers 3]
    DANGBO_VAR_DIR=/work/benchdata/sqlite .venv/bin/python bench/load.py --users 20 --duration 180

The mix (issue 24): each simulated user signs in once with an account of its own (leaders of
the province and officers of the upper-level committees, made here through the accounts
services: ``bench-lanhdao-NN``, ``bench-canbo-NN``; organizations and members are never
changed), then sends a request every ``--think`` seconds (0.5–1.5 by default): member search
with and without diacritics, organization pages and dashboards at every level of its scope,
and member profiles. Every address is drawn from the database beforehand, within the
account's scope (``pick_targets``), and written to a plan that the locust users read
(bench/load_locustfile.py); locust runs headless in a child process.

Without ``--url`` the script starts the server itself on a free port, with the second factor
not required (DANGBO_REQUIRE_2FA=0; the accounts sign in with a password): ``dangbo serve``
(waitress, one process, ``--threads``) or, with ``--workers N``, the production way
(gunicorn, N processes × ``--threads``). ``--pool-size`` sets DANGBO_DB_POOL_SIZE for it.

Targets (issue 24): PostgreSQL 500 k, 50 users: p95 <= 150 ms, 0 errors, for 10 minutes;
SQLite default demo, 20 users: p95 <= 300 ms. Results are appended to bench/results/load.md
and load.json: per request kind and overall p50/p95/p99, requests per second, errors, the
server mode and the machine's load average (it is shared: the figures depend on it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOCUSTFILE = Path(__file__).resolve().parent / "load_locustfile.py"

PASSWORD = "Kiem-tra-tai-9731"
# Relative weights of the request kinds in the mix.
WEIGHTS = {
    "search_plain": 2,  # a name typed without diacritics: «nguyen van duc»
    "search_accented": 2,  # the same kind of name with them: «Nguyễn Văn Đức»
    "org_page": 3,
    "dashboard": 2,
    "profile": 3,
}
SIGN_IN_KINDS = ("sign_in_form", "sign_in")
TARGETS_MS = {"postgresql": 150.0, "sqlite": 300.0}


@dataclass
class BenchAccount:
    username: str
    role: str
    org_id: str
    org_path: str
    urls: dict[str, list[str]] = field(default_factory=dict)


# --- accounts ------------------------------------------------------------------------------


def ensure_accounts(count: int) -> list[BenchAccount]:
    """``count`` accounts: a quarter (at least one) leaders of the province, the others officers
    spread over the live upper-level committees (grassroots committees when there are none).
    Made once through the accounts services with the password ``PASSWORD``, its change not
    required; reused on later runs."""
    from django.contrib.auth import get_user_model

    from dangbo.accounts.models import AccessRole, RoleAssignment
    from dangbo.accounts.scope import SYSTEM
    from dangbo.accounts.services import user_create, user_password_changed
    from dangbo.core import paths
    from dangbo.core.kinds import OrgKind
    from dangbo.orgs.models import Org

    live = Org.objects.filter(dissolved_on__isnull=True)
    top = live.filter(parent__isnull=True).order_by("path").first()
    if top is None:
        raise SystemExit("The database holds no organization: build a demo first (dangbo demo --no-serve).")
    under = live.filter(paths.subtree_q(top.path)).exclude(pk=top.pk)
    officer_orgs = list(under.filter(kind=OrgKind.UPPER).order_by("path")) or list(
        under.filter(kind=OrgKind.GRASSROOTS_COMMITTEE).order_by("path")
    )
    leaders = max(1, count // 4) if officer_orgs else count
    plan = [("lanhdao", i + 1, AccessRole.LEADER, top) for i in range(leaders)]
    plan += [
        ("canbo", i + 1, AccessRole.OFFICER, officer_orgs[i % len(officer_orgs)])
        for i in range(count - leaders)
    ]
    User = get_user_model()
    accounts = []
    for prefix, number, role, org in plan:
        username = f"bench-{prefix}-{number:02d}"
        user = User.objects.filter(username=username).first()
        held = (
            RoleAssignment.objects.filter(user=user, revoked_at__isnull=True).select_related("org").first()
            if user
            else None
        )
        if user is None:
            user, _ = user_create(
                actor=SYSTEM,
                username=username,
                full_name=f"Tài khoản đo tải {number:02d}",
                role=role,
                org=org,
                password=PASSWORD,
            )
            user_password_changed(user=user)
        elif held is None or held.org is None:
            raise SystemExit(f"Account {username} exists without a role on an organization: remove it first.")
        else:
            org = held.org  # an earlier run's choice stands
            role = AccessRole(held.role)
        accounts.append(BenchAccount(username, str(role), str(org.pk), org.path))
    return accounts


# --- what each user requests ------------------------------------------------------------------


def _name_queries(member, rng: random.Random) -> tuple[str, str]:
    """One name as typed with diacritics, and the same folded (lower case, no diacritics)."""
    from dangbo.core import text

    accented = rng.choice(
        [member.full_name, f"{member.family_name} {member.given_name}", member.given_name, member.full_name]
    )
    return accented, text.fold(accented)


def pick_targets(account: BenchAccount, rng: random.Random, *, per_kind: int = 30) -> dict[str, list[str]]:
    """The addresses ``account`` requests, all within its scope: organization pages and
    dashboards of its root and of organizations of every level under it, profiles of active
    members, and name searches with and without diacritics drawn from those members."""
    from urllib.parse import urlencode

    from dangbo.core import paths
    from dangbo.members.models import ACTIVE_STATUSES, Member
    from dangbo.orgs.models import Org

    orgs = list(
        Org.objects.filter(paths.subtree_q(account.org_path), dissolved_on__isnull=True).values_list(
            "pk", "kind"
        )
    )
    by_kind: dict[str, list] = {}
    for pk, kind in orgs:
        by_kind.setdefault(kind, []).append(pk)
    # every level in turn, then random ones, so a small scope still gets every kind
    chosen = [account.org_id]
    for kind in sorted(by_kind):
        chosen += rng.sample(by_kind[kind], min(len(by_kind[kind]), max(1, per_kind // len(by_kind))))
    chosen = list(dict.fromkeys(str(pk) for pk in chosen))[:per_kind]

    # members: from random organizations of the scope (no OFFSET walk over a large table)
    pool = rng.sample(orgs, min(len(orgs), per_kind * 4))
    members = list(
        Member.objects.filter(org_id__in=[pk for pk, _ in pool], status__in=ACTIVE_STATUSES)
        .only("pk", "family_name", "middle_name", "given_name")
        .order_by("pk")[: per_kind * 20]  # random ids: an unbiased draw
    )
    members = rng.sample(members, min(len(members), per_kind))
    plain, accented = [], []
    for member in members:
        with_marks, folded = _name_queries(member, rng)
        plain.append("/dang-vien/?" + urlencode({"q": folded}))
        if with_marks != folded:
            accented.append("/dang-vien/?" + urlencode({"q": with_marks}))
    return {
        "org_page": [f"/to-chuc/{pk}/" for pk in chosen],
        "dashboard": [f"/to-chuc/{pk}/chi-tieu/" for pk in chosen],
        "profile": [f"/dang-vien/{m.pk}/" for m in members],
        "search_plain": plain,
        "search_accented": accented,
    }


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(port: int, *, workers: int | None, threads: int) -> list[str]:
    command = [sys.executable, "-m", "dangbo.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--no-migrate", "--threads", str(threads)]
    if workers:
        command += ["--workers", str(workers)]
    return command


def start_server(args, port: int, log_path: Path) -> subprocess.Popen:
    env = dict(os.environ, DANGBO_REQUIRE_2FA="0")
    if args.pool_size is not None:
        env["DANGBO_DB_POOL_SIZE"] = str(args.pool_size)
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 (the server's, closed when it ends)
    process = subprocess.Popen(
        server_command(port, workers=args.workers, threads=args.threads),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"The server stopped (code {process.returncode}); see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit(f"The server did not answer within 90 s; see {log_path}")


def stop_server(process: subprocess.Popen) -> None:
    import signal

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # its own session: gunicorn's workers too
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- figures ------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summarise(times: list[float], errors: int) -> dict:
    if not times:
        return {"requests": 0, "errors": errors}
    return {
        "requests": len(times),
        "errors": errors,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "max_ms": round(max(times), 1),
    }


def figures(records: list[list], seconds: float) -> dict:
    """records: [kind, milliseconds, ok, error, start time] per request, as the locustfile
    writes them; requests per second over the time from the first request to the last."""
    kinds: dict[str, dict] = {}
    for kind in sorted({r[0] for r in records}):
        rows = [r for r in records if r[0] == kind]
        kinds[kind] = summarise([r[1] for r in rows], sum(1 for r in rows if not r[2]))
    pages = [r for r in records if r[0] not in SIGN_IN_KINDS]
    overall = summarise([r[1] for r in pages], sum(1 for r in pages if not r[2]))
    starts = [r[4] for r in records if len(r) > 4 and r[4] is not None]
    if len(starts) > 1:
        seconds = max(starts) - min(starts)
    overall["per_second"] = round(len(pages) / seconds, 1) if seconds else 0.0
    errors: dict[str, int] = {}
    for r in records:
        if not r[2]:
            key = f"{r[0]}: {r[3]}"[:200]
            errors[key] = errors.get(key, 0) + 1
    return {"kinds": kinds, "overall": overall, "error_kinds": errors}


def server_times(log_path: Path) -> dict:
    """The server's own time for the pages (the duration_ms of its request log lines, sign-in
    excluded): beside the time seen by the users, it tells the work from the queueing."""
    times = []
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        if '"event": "request"' not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("path", "").startswith(("/dang-vien/", "/to-chuc/")) and "duration_ms" in entry:
            times.append(float(entry["duration_ms"]))
    return summarise(times, 0)


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by the server started (the process and its
    children: gunicorn's workers) and by the PostgreSQL backends serving its connections (found
    by the client ports of its connections to port 5432; a local PostgreSQL only)."""
    import psutil

    root = psutil.Process(pid)
    app, ports = 0.0, set()
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
            app += times.user + times.system
            ports |= {
                c.laddr.port for c in process.net_connections(kind="tcp") if c.raddr and c.raddr.port == 5432
            }
        except psutil.Error:
            continue
    db = 0.0
    if ports:
        tags = {f"({port})" for port in ports}
        for process in psutil.process_iter(["cmdline"]):
            command = " ".join(process.info["cmdline"] or [])
            if command.startswith("postgres:") and any(tag in command for tag in tags):
                try:
                    times = process.cpu_times()
                except psutil.Error:
                    continue
                db += times.user + times.system
    return app, db


class LoadSampler(threading.Thread):
    """The machine's 1-minute load average every 5 s while the test runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(5):
            self.samples.append(os.getloadavg()[0])


def parse_think(value: str) -> tuple[float, float]:
    low, _, high = value.partition("-")
    pair = (float(low), float(high or low))
    if pair[0] < 0 or pair[1] < pair[0]:
        raise argparse.ArgumentTypeError("--think takes MIN-MAX seconds, e.g. 0.5-1.5")
    return pair


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server to test (default: start one)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=180, help="seconds (default 180)")
    parser.add_argument("--spawn-rate", type=float, default=5.0, help="users started per second")
    parser.add_argument("--think", type=parse_think, default=(0.5, 1.5), help="seconds, MIN-MAX")
    parser.add_argument("--database-url", help="DANGBO_DATABASE_URL (default: the environment's)")
    parser.add_argument("--var-dir", help="DANGBO_VAR_DIR (default: the environment's)")
    parser.add_argument("--workers", type=int, help="serve with gunicorn, N processes")
    parser.add_argument("--threads", type=int, default=8, help="threads (per process) of the server")
    parser.add_argument("--pool-size", type=int, help="DANGBO_DB_POOL_SIZE of the server started")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--note", default="", help="a remark written beside the figures")
    parser.add_argument("--no-write", action="store_true", help="print the figures only")
    return parser


def server_mode(args) -> str:
    if args.url:
        return f"external server at {args.url}"
    mode = (
        f"gunicorn {args.workers} processes × {args.threads} threads"
        if args.workers
        else f"waitress, 1 process × {args.threads} threads"
    )
    if args.pool_size:
        mode += f", pool of {args.pool_size} connections per process"
    return mode


def write_results(run: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    o = run["figures"]["overall"]
    lines = [
        f"\n## {run['at']} — {run['engine']} `{run['database']}`, {run['members']:,} active members\n",
        f"- users: {run['users']} (spawn {run['spawn_rate']}/s), think time {run['think']} s, "
        f"duration {run['duration_s']} s; server: {run['server']}",
        f"- overall (pages, sign-in excluded): {o.get('requests', 0)} requests, {o['per_second']} requests/s, "
        f"p50 {o.get('p50_ms')} ms, p95 {o.get('p95_ms')} ms, p99 {o.get('p99_ms')} ms, errors {o['errors']}"
        + (f"; target p95 ≤ {run['target_p95_ms']:.0f} ms: {'met' if run['met'] else 'NOT met'}"),
        (
            f"- the server's own time for the same pages (its request log): p50 {st.get('p50_ms')} ms, "
            f"p95 {st.get('p95_ms')} ms, p99 {st.get('p99_ms')} ms"
            if (st := run.get("server_side")) and st.get("requests")
            else "- the server's own time: not known (an external server)"
        ),
        (
            f"- CPU: server {c['server_s']} s"
            + (f", its PostgreSQL backends {c['database_s']} s" if run["engine"] == "postgresql" else "")
            + ", "
            f"{c['ms_per_page']} ms per page (sign-ins included): two cores to themselves would serve about "
            f"{c['two_core_pages_per_second']} pages/s; the locust client used {c['client_s']} s"
            if "ms_per_page" in (c := run.get("cpu") or {})
            else f"- CPU: the locust client used {c.get('client_s')} s"
        ),
        f"- load average (1 min) before {run['load_before']}, during: mean {run['load_mean']}, max {run['load_max']}"
        f" ({run['machine']}, shared with other work)",
    ]
    if run["note"]:
        lines.append(f"- note: {run['note']}")
    lines += [
        "",
        "| kind | requests | errors | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, f in run["figures"]["kinds"].items():
        lines.append(
            f"| {kind} | {f['requests']} | {f['errors']} | {f.get('p50_ms', '')} | {f.get('p95_ms', '')} "
            f"| {f.get('p99_ms', '')} | {f.get('max_ms', '')} |"
        )
    lines.append(
        f"| **overall** | {o.get('requests', 0)} | {o['errors']} | {o.get('p50_ms', '')} | {o.get('p95_ms', '')} "
        f"| {o.get('p99_ms', '')} | {o.get('max_ms', '')} |"
    )
    for error, n in sorted(run["figures"]["error_kinds"].items(), key=lambda e: -e[1])[:10]:
        lines.append(f"\n- error ×{n}: `{error}`")
    with open(RESULTS / "load.md", "a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    with open(RESULTS / "load.json", "a", encoding="utf-8") as out:
        out.write(json.dumps(run, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.database_url:
        os.environ["DANGBO_DATABASE_URL"] = args.database_url
    if args.var_dir:
        os.environ["DANGBO_VAR_DIR"] = args.var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.db import connection

    from dangbo.members.models import ACTIVE_STATUSES, Member

    rng = random.Random(args.seed)
    print(f"Accounts and addresses for {args.users} users ...", flush=True)
    accounts = ensure_accounts(args.users)
    for account in accounts:
        account.urls = pick_targets(account, rng)
    members = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    engine = connection.vendor
    database = connection.settings_dict["NAME"]
    connection.close()

    work = Path(tempfile.mkdtemp(prefix="dangbo-load-"))
    plan_path, records_path = work / "plan.json", work / "records.json"
    plan_path.write_text(
        json.dumps(
            {
                "password": PASSWORD,
                "think": list(args.think),
                "weights": WEIGHTS,
                "accounts": [{"username": a.username, "urls": a.urls} for a in accounts],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    server = None
    url = args.url
    if not url:
        port = free_port()
        print(f"Starting the server ({server_mode(args)}) ...", flush=True)
        server = start_server(args, port, work / "server.log")
        url = f"http://127.0.0.1:{port}"
    load_before = round(os.getloadavg()[0], 2)
    sampler = LoadSampler()
    sampler.start()
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary"]
    command += ["-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.duration}s", "-H", url]
    command += ["--stop-timeout", "5", "--loglevel", "WARNING"]
    env = dict(os.environ, DANGBO_LOAD_PLAN=str(plan_path), DANGBO_LOAD_RECORDS=str(records_path))
    print(f"locust: {args.users} users for {args.duration} s against {url} ...", flush=True)
    started = time.monotonic()
    cpu_before = cpu_seconds(server.pid) if server else None
    cpu_after = None
    try:
        subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL)
        client_usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # locust's, the server not yet waited for
        if server:
            cpu_after = cpu_seconds(server.pid)
    finally:
        seconds = time.monotonic() - started
        sampler.stop.set()
        if server:
            stop_server(server)
    records = json.loads(records_path.read_text(encoding="utf-8"))
    server_side = server_times(work / "server.log") if server else {}
    result = figures(records, seconds)
    pages = result["overall"].get("requests", 0)
    cpu = {"client_s": round(client_usage.ru_utime + client_usage.ru_stime, 1)}
    if cpu_before and cpu_after and pages:
        cpu["server_s"] = round(cpu_after[0] - cpu_before[0], 1)
        cpu["database_s"] = round(cpu_after[1] - cpu_before[1], 1)
        per_request = (cpu["server_s"] + cpu["database_s"]) / pages
        cpu["ms_per_page"] = round(1000 * per_request, 1)
        # what two cores would serve if the server and its database had them to themselves
        cpu["two_core_pages_per_second"] = round(2 / per_request, 1) if per_request else None
    target = TARGETS_MS.get(engine, 150.0)
    o = result["overall"]
    run = {
        "at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "engine": engine,
        "database": database if engine == "postgresql" else Path(database).name,
        "members": members,
        "users": args.users,
        "spawn_rate": args.spawn_rate,
        "think": f"{args.think[0]}–{args.think[1]}",
        "duration_s": args.duration,
        "server": server_mode(args),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_before": load_before,
        "load_mean": round(statistics.mean(sampler.samples), 2) if sampler.samples else None,
        "load_max": round(max(sampler.samples), 2) if sampler.samples else None,
        "target_p95_ms": target,
        "met": bool(o.get("p95_ms") is not None and o["p95_ms"] <= target and o["errors"] == 0),
        "note": args.note,
        "figures": result,
        "server_side": server_side,
        "cpu": cpu,
    }
    print(json.dumps(run, ensure_ascii=False, indent=1), flush=True)
    if server:
        print(f"server log: {work / 'server.log'}")
    if not args.no_write:
        write_results(run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
