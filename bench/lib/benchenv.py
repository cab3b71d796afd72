"""The bench's environment: the dedicated database, fixed keys, the servers it starts and the machine it reads.

Used by bench/intake/run.py and bench/kpi/run.py, which run with the project's venv. Everything the bench
starts is started here with its own process group and stopped by that group's id, never by name.
"""

from __future__ import annotations

import base64
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parents[1]
REPO = BENCH_DIR.parent
VENV_BIN = REPO / ".venv" / "bin"
PY = VENV_BIN / "python"
GUNICORN = VENV_BIN / "gunicorn"

# Outside the repo: the work folder of the bench (keys, logs, the peer's SQLite file), the load generator's venv
# (aiohttp, py-spy) and the peer's venv (baisitong2). None of them is part of the project.
WORK = Path(os.environ.get("BENCH_WORK", "/tmp/shequ-bench"))
LOAD_VENV = Path(os.environ.get("BENCH_LOAD_VENV", "/tmp/bench-load"))
PEER_VENV = Path(os.environ.get("BENCH_PEER_VENV", "/tmp/bench-peer"))
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
# Django sets TZ in the environment of the process that sets it up; uptime and the log keep the machine's clock.
_MACHINE_ENV = dict(os.environ)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {msg}", flush=True)


# --- keys and settings ------------------------------------------------------------------------------------
def fixed_keys() -> dict[str, str]:
    """One set of keys per bench folder, so the KPI script can read what the intake script encrypted."""
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / "keys.json"
    if not path.exists():
        b64 = lambda: base64.b64encode(secrets.token_bytes(32)).decode()  # noqa: E731
        keys = {
            "SHEQU_DATA_KEYS": f"b1:{b64()}",
            "SHEQU_HASH_KEY": b64(),
            "SECRET_KEY": secrets.token_urlsafe(64),
        }
        path.write_text(json.dumps(keys))
        path.chmod(0o600)
    return json.loads(path.read_text())


def django_env(db: str, *, conn_max_age: int) -> dict[str, str]:
    """The environment of manage.py and gunicorn: base settings, DEBUG off, PostgreSQL, no broker (eager)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_", "SHEQU_"))}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(fixed_keys())
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{db}",
            "DB_CONN_MAX_AGE": str(conn_max_age),
            "SHEQU_ALLOW_LOCAL_KEYFILE": "false",
            "SHEQU_VAR_DIR": str(WORK / "var"),
            "PYTHONHASHSEED": "0",
        }
    )
    (WORK / "var").mkdir(parents=True, exist_ok=True)
    return env


def setup_django_here(db: str, *, conn_max_age: int = 0, broker: str = "") -> None:
    """Make this process a Django process on the bench database (for the bulk grower, payload data and the
    in-process profile); tasks are published to `broker` when one is given, else run eagerly."""
    os.environ.update(django_env(db, conn_max_age=conn_max_age))
    for k in ("CELERY_BROKER_URL", "REDIS_URL"):
        os.environ.pop(k, None)
    if broker:
        os.environ["CELERY_BROKER_URL"] = broker
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import django

    django.setup()


def manage(
    env: dict[str, str], *args: str, check: bool = True, code: Path = REPO
) -> subprocess.CompletedProcess:
    """manage.py of the code in `code` (this checkout, or another version's worktree)."""
    cmd = [str(PY), "manage.py", *args]
    log(f"$ {' '.join(cmd)}" + (f"  (in {code})" if code != REPO else ""))
    return subprocess.run(cmd, cwd=code, env=env, capture_output=True, text=True, check=check)


# --- the database -----------------------------------------------------------------------------------------
def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        conn.execute(sql)


def recreate_database(name: str) -> None:
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"not a plain database name: {name!r}")
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{name}"')


def new_report(script: str, args: object, **fields: object) -> dict:
    """The head every bench result starts with: the command as typed, its arguments, the machine and its load
    before the run (logged), an empty list of notes, then `fields`."""
    report: dict = {
        "command": " ".join([".venv/bin/python", script, *sys.argv[1:]]),
        "args": vars(args),
        "machine": machine(),
        "uptime_before": uptime(),
        "notes": [],
        **fields,
    }
    log(report["uptime_before"])
    return report


def socket_url(folder: str, db: str) -> str:
    """DATABASE_URL of `db` through PostgreSQL's Unix socket in `folder` (dj-database-url takes the folder as
    a percent-encoded host)."""
    from urllib.parse import quote

    return f"postgres://{PG['user']}@{quote(folder, safe='')}/{db}"


def server_env(
    db: str, *, conn_max_age: int, broker: str | None, notes: list[str], load_packages: list[str]
) -> dict[str, str]:
    """The load generator's venv (with `load_packages`) made ready, and the server's environment: tasks are
    published to `broker` when one is given (noted in `notes`), else run eagerly in the request."""
    ok, err = ensure_venv(LOAD_VENV, load_packages)
    if not ok:
        raise SystemExit(f"load generator venv: {err}")
    env = django_env(db, conn_max_age=conn_max_age)
    if broker:
        env["CELERY_BROKER_URL"] = broker
        notes.append(
            f"broker {broker} (tasks not eager): the after-intake work is left queued in the database "
            "(dispatch_intakequeue; code older than the queue published a task per appeal there); no worker "
            "consumed either during the bench"
        )
    return env


def seed_project_database(env: dict[str, str], notes: list[str], code: Path = REPO) -> None:
    """migrate, the Shenzhen pack and the small demo seed (seed 1) into env's database, with the code in `code`;
    a failed seed is noted in `notes` (and logged), not raised: the bench goes on with what is there."""
    manage(env, "migrate", "--noinput", "-v", "0", code=code)
    log(manage(env, "load_city_pack", "shenzhen", code=code).stdout.strip())
    seeded = manage(env, "seed_demo", "--scale", "small", "--seed", "1", check=False, code=code)
    if seeded.returncode:
        tail = seeded.stderr.strip().splitlines()[-1:] or ["?"]
        notes.append(f"seed_demo failed (exit {seeded.returncode}): {tail[0]}")
        log("seed_demo FAILED: " + tail[0])
    else:
        log(seeded.stdout.strip())


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def pg_query(db: str, sql: str, params: list | None = None) -> list[tuple]:
    import psycopg

    with psycopg.connect(dbname=db, autocommit=True, **PG) as conn:
        cur = conn.execute(sql, params or [])
        return cur.fetchall() if cur.description else []


# --- processes --------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server process the bench started, in its own process group; stop() ends that group only."""

    def __init__(self, name: str, cmd: list[str], *, env: dict, cwd: Path, port: int, health: str):
        self.name, self.port, self.health = name, port, health
        self.log_path = WORK / f"{name}.log"
        self._log = open(self.log_path, "ab")
        log(f"start {name}: {' '.join(cmd)}  (log {self.log_path})")
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + self.health, timeout=2) as r:
                    if r.status == 200:
                        return
            except Exception:  # noqa: S110 - not up yet
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready after {timeout}s; see {self.log_path}")

    def cpu_seconds(self) -> float:
        """CPU time used so far by the group leader and its children that are alive."""
        return sum(cpu for pid in self.pids() if (cpu := proc_cpu(pid)) is not None)

    def wait_idle(self, max_wait: float = 30.0) -> bool:
        """Wait until the server burns (almost) no CPU: a backlog left by an overloaded phase is not charged to
        the next one. False if it is still busy after max_wait."""
        deadline = time.monotonic() + max_wait
        last = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(1.0)
            now = self.cpu_seconds()
            if now - last < 0.05:
                return True
            last = now
        return False

    def pids(self) -> list[int]:
        """The group leader and its children (gunicorn workers), for py-spy."""
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True
        ).stdout
        return [self.proc.pid, *[int(p) for p in out.split()]]

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # the group this bench created, by its id
                self.proc.wait(timeout=8)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        self._log.close()
        log(f"stopped {self.name}")


def start_gunicorn(
    env: dict,
    *,
    workers: int,
    worker_class: str,
    threads: int,
    port: int,
    name: str = "gunicorn",
    app: str = "config.wsgi",
    code: Path = REPO,
) -> Server:
    """gunicorn serving `app` of the code in `code` (this checkout, or another version's worktree) on
    127.0.0.1:port, with that code's own config/gunicorn.conf.py when it has one (preload, gc.freeze); ready
    (/healthz answers), or stopped again if it never gets there."""
    conf = code / "config" / "gunicorn.conf.py"
    cmd = [
        str(GUNICORN),
        app,
        *(["-c", str(conf)] if conf.exists() else []),
        "-w",
        str(workers),
        "-k",
        worker_class,
        "-b",
        f"127.0.0.1:{port}",
        "--backlog",
        "2048",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    if worker_class == "gthread":
        cmd += ["--threads", str(threads)]
    srv = Server(name, cmd, env=env, cwd=code, port=port, health="/healthz")
    try:
        srv.wait_ready()
    except BaseException:
        srv.stop()
        raise
    return srv


def worktree(rev: str) -> Path:
    """A checkout of git revision `rev` under WORK (made once per commit), to serve another version's code."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    path = WORK / f"ab-{sha[:12]}"
    if not path.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(path), sha], cwd=REPO, check=True)
    return path


# --- the load generator (a separate process, in its own venv) -----------------------------------------------
def ensure_venv(path: Path, packages: list[str]) -> tuple[bool, str]:
    """Create a venv outside the repo and pip-install packages into it; (ok, what failed)."""
    py = path / "bin" / "python"
    if not py.exists():
        r = subprocess.run([sys.executable, "-m", "venv", str(path)], capture_output=True, text=True)
        if r.returncode:
            return False, f"python -m venv {path}: {r.stderr.strip()[-500:]}"
    missing = []
    for pkg in packages:
        name = pkg.split("[")[0].split("=")[0]
        r = subprocess.run([str(path / "bin" / "pip"), "show", "-q", name], capture_output=True)
        if r.returncode:
            missing.append(pkg)
    if missing:
        cmd = [str(path / "bin" / "pip"), "install", "-q", *missing]
        log("$ " + " ".join(cmd))
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            err = "\n".join(line for line in r.stderr.splitlines() if "is ignored" not in line)
            return False, f"{' '.join(cmd)}: exit {r.returncode}: {err.strip()[-800:]}"
    return True, ""


def run_load(
    url: str,
    payloads: Path | None,
    *,
    n: int,
    concurrency: int,
    rate: float = 0.0,
    method: str = "POST",
    expect: int = 201,
    headers: dict | None = None,
    max_seconds: float = 240.0,
    client: str = "raw",
) -> dict:
    """Run bench/lib/loadgen.py in the load venv (a separate process) with `client` ("raw" or "aiohttp") and
    return its JSON report."""
    out = WORK / f"load-{int(time.time() * 1000)}.json"
    cmd = [
        str(LOAD_VENV / "bin" / "python"),
        str(BENCH_DIR / "lib" / "loadgen.py"),
        "--url",
        url,
        "--method",
        method,
        "--payloads",
        str(payloads) if payloads else "",
        "--n",
        str(n),
        "--concurrency",
        str(concurrency),
        "--rate",
        str(rate),
        "--expect",
        str(expect),
        "--max-seconds",
        str(max_seconds),
        "--headers",
        json.dumps(headers or {}),
        "--client",
        client,
        "--out",
        str(out),
    ]
    subprocess.run(cmd, check=True, timeout=max_seconds + 120)
    report = json.loads(out.read_text())
    out.unlink()
    return report


# --- the machine ------------------------------------------------------------------------------------------
def _proc_stat(pid: int) -> tuple[str, list[str]] | None:
    """A process's name and the fields of /proc/<pid>/stat after it (state, ppid, …), or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.index("(") + 1 : text.rindex(")")], text.rsplit(")", 1)[1].split()


def proc_cpu(pid: int) -> float | None:
    """CPU seconds so far of one live process (utime + stime), or None if it is gone."""
    stat = _proc_stat(pid)
    return None if stat is None else (int(stat[1][11]) + int(stat[1][12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's children that have ended and been waited for: the load
    generator after run_load returns."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def pg_cpu() -> float:
    """CPU seconds so far of all of PostgreSQL: every live postgres process, plus the children that have exited
    (the postmaster's cutime and cstime). A backend that closes during a phase (DB_CONN_MAX_AGE) still counts;
    background work (WAL writer, autovacuum) is included."""
    procs: dict[int, list[str]] = {}
    for path in Path("/proc").glob("[0-9]*"):
        stat = _proc_stat(int(path.name))
        if stat is not None and stat[0] == "postgres":
            procs[int(path.name)] = stat[1]
    ticks = 0
    for fields in procs.values():
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
        if (
            int(fields[1]) not in procs
        ):  # the postmaster (its parent is not postgres): add its reaped children
            ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, env=_MACHINE_ENV).stdout.strip()


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores, from /proc/stat): with the server's own CPU time
    it tells how much of the machine other people's work took during a phase."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    try:
        pg = pg_query("postgres", "SELECT version()")[0][0]
    except Exception as exc:
        pg = f"? ({exc})"
    return {
        "nproc": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
        "cpu": cpu,
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "postgresql": pg.split(" on ")[0],
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "kernel": platform.release(),
    }
