"""Load benchmark: gunicorn on loopback with the fixture, driven by wrk from a second process.

Prints requests/s and p50/p95/p99 latency per scenario, the dynamic/static throughput ratio, the
uncached render time of / and each worker's peak resident memory. Run it with bench/run.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8765"))
ORIGIN = f"http://127.0.0.1:{PORT}"
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
SOAK_SECONDS = int(os.environ.get("BENCH_SOAK_SECONDS", "30"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
GATE = (
    "step=0&service_count=many&tech_diversity=high&mostly_synchronous=yes"
    "&uses_kubernetes=yes&change_frequency=often&needed=mtls"
)
SCENARIOS = [
    ("/ (cached table)", "/", SOAK_SECONDS),
    ("/ filtered", "/?must=mtls-tcp&must=fault-injection", SECONDS),
    ("/compare/", "/compare/?mesh=istio-sidecar&mesh=linkerd", SECONDS),
    ("mesh page", "/meshes/linkerd/", SECONDS),
    ("/api/meshes.json", "/api/meshes.json", SECONDS),
    ("questionnaire POST", "POST /questionnaire/step/", SECONDS),
    ("static copy of /", "/static/bench/index.html", SECONDS),
]


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )
    return result.stdout if capture else ""


def wait_until_up(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{ORIGIN}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


def wrk(path: str, seconds: int, env: dict[str, str]) -> dict:
    script = "post.lua" if path.startswith("POST ") else "report.lua"
    url = ORIGIN + (path.split(" ", 1)[1] if path.startswith("POST ") else path)
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / script),
        url,
    ]
    output = subprocess.run(command, env=env, check=True, text=True, capture_output=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def worker_peak_memory(master_pid: int) -> list[int]:
    """Peak resident set (VmHWM) of each gunicorn worker, in MiB."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid) and "VmHWM" in fields:
            peaks.append(int(fields["VmHWM"].split()[0]) // 1024)
    return sorted(peaks)


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    work = Path(tempfile.mkdtemp(prefix="mesh-bench-"))
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{work / 'bench.sqlite3'}",
        "SECURE_COOKIES": "false",
        "WEB_CONCURRENCY": str(WORKERS),
        "BIND": f"127.0.0.1:{PORT}",
    }
    print(f"Preparing a database at {env['DATABASE_URL']} …", flush=True)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "import_meshes", str(ROOT / "fixtures" / "meshes.json"))
    manage(env, "collectstatic", "--noinput", "-v0")
    render = manage(env, "bench_render", "--runs", "25", capture=True)

    # The static reference: the very bytes of /, written where whitenoise serves them from.
    html = manage(
        env,
        "shell",
        "-v0",
        "-c",
        "from django.test import Client; import sys; "
        "sys.stdout.write(Client(HTTP_HOST='127.0.0.1').get('/').content.decode())",
        capture=True,
    )
    static_copy = ROOT / "staticfiles" / "bench" / "index.html"
    static_copy.parent.mkdir(parents=True, exist_ok=True)
    static_copy.write_text(html, encoding="utf-8")

    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "portal/gunicorn_conf.py", "portal.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results = []
    try:
        wait_until_up()
        # A CSRF secret has 32 letters and digits; sent as cookie and header it passes the check.
        csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        wrk_env = {
            **env,
            "BENCH_BODY": GATE,
            "BENCH_CSRF": csrf,
            "BENCH_ORIGIN": ORIGIN,
            "BENCH_DIR": str(ROOT / "bench"),
        }
        for name, path, seconds in SCENARIOS:
            if not path.startswith("POST "):
                urllib.request.urlopen(ORIGIN + path).read()  # warm the page cache
            results.append((name, path, seconds, wrk(path, seconds, wrk_env)))
        memory = worker_peak_memory(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        static_copy.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"\nmachine: {os.cpu_count()} cores; gunicorn workers: {WORKERS}; "
        f"wrk: 2 threads, {CONNECTIONS} connections"
    )
    print(
        f"{'scenario':22} {'seconds':>7} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>7}"
    )
    for name, _path, seconds, r in results:
        print(
            f"{name:22} {seconds:7} {r['rps']:9.1f} {r['p50_ms']:8.2f} {r['p95_ms']:8.2f} "
            f"{r['p99_ms']:8.2f} {r['errors']:7}"
        )
    by_name = {name: r for name, _p, _s, r in results}
    ratio = by_name["/ (cached table)"]["rps"] / by_name["static copy of /"]["rps"]
    print(f"\ndynamic/static throughput for /: {ratio:.2f} (target >= 0.5)")
    print(
        f"errors at {CONNECTIONS} connections for {SOAK_SECONDS} s on /: "
        f"{by_name['/ (cached table)']['errors']} (target 0)"
    )
    print("uncached render of / (bench_render, median of 25, no page cache):")
    print("  " + "\n  ".join(line for line in render.splitlines() if "fixture " in line))
    print(f"peak resident memory per worker (MiB): {memory} (target < 150)")


if __name__ == "__main__":
    main()
