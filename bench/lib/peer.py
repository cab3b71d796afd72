"""The peer, baisitong2 (民情直通车2): its own venv, its own folder, its default database (SQLite), and a bulk path
for its history (rows written straight into its SQLite file, as our grower writes into PostgreSQL)."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import time
from datetime import datetime, timedelta

from . import benchenv, payloads
from .benchenv import PEER_VENV, WORK, Server, log

PEER_DIR = WORK / "peer"
PEER_DB = PEER_DIR / "baisitong2.db"
CATEGORIES = ["环境卫生", "市政设施", "噪音扰民", "交通出行", "物业管理", "民生保障", "治安消防", "邻里纠纷"]


def install() -> tuple[bool, str]:
    return benchenv.ensure_venv(PEER_VENV, ["baisitong2"])


def reset() -> None:
    """A new, empty peer folder (its SQLite file is created at its first start)."""
    if PEER_DIR.exists():
        shutil.rmtree(PEER_DIR)
    PEER_DIR.mkdir(parents=True)


def start(port: int) -> Server:
    """`baisitong2 --host 127.0.0.1 --port N` as its README says: one uvicorn process, SQLite in its cwd."""
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(PEER_DIR), "LANG": "C.UTF-8"}
    cmd = [str(PEER_VENV / "bin" / "baisitong2"), "--host", "127.0.0.1", "--port", str(port)]
    srv = Server("baisitong2", cmd, env=env, cwd=PEER_DIR, port=port, health="/api/health")
    srv.wait_ready()
    return srv


def count() -> int:
    with sqlite3.connect(PEER_DB, timeout=30) as conn:
        return conn.execute("SELECT count(*) FROM appeals").fetchone()[0]


def grow(target_total: int, *, seed: int = 11, days: int = 365) -> dict:
    """Insert analysed appeals until its table holds target_total rows (spread over `days`, like ours)."""
    t0 = time.perf_counter()
    have = count()
    todo = target_total - have
    if todo <= 0:
        return {"inserted": 0, "seconds": 0.0, "total": have}
    rng = random.Random(seed * 1_000_003 + have)
    now = datetime.now()  # the peer stores naive local time (datetime.now)
    problems = [p for _, p, _ in payloads.PROBLEMS]
    rows = []
    for _ in range(todo):
        while True:
            created = now - timedelta(seconds=rng.random() * days * 86400)
            w = (1.0 if created.weekday() < 5 else 0.5) * (1.0 if 8 <= created.hour < 20 else 0.25)
            if rng.random() < w:
                break
        text = payloads.text(rng, rng.choice(problems))
        cat = rng.choice(CATEGORIES)
        analysed = created + timedelta(milliseconds=rng.uniform(1, 50))
        rows.append(
            (
                text,
                "居民上报",
                "",
                "",
                rng.choice(["analyzed", "dispatched", "resolved", "resolved", "resolved"]),
                json.dumps([cat], ensure_ascii=False),
                json.dumps({"event": text}, ensure_ascii=False),
                rng.randint(1, 5),
                rng.choice([1, 2, 2, 2, 3]),
                f"居民反映:{text}",
                "rule_fallback",
                analysed.strftime("%Y-%m-%d %H:%M:%S.%f"),
                len(text) // 2,
                "[]",
                created.strftime("%Y-%m-%d %H:%M:%S.%f"),
            )
        )
    with sqlite3.connect(PEER_DB, timeout=60) as conn:
        conn.executemany(
            "INSERT INTO appeals (content, source, resident_name, contact, status, categories, key_info, "
            "sentiment, urgency, summary, analysis_source, analyzed_at, tokens_used, analysis_history, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    log(f"peer history +{todo} rows in {time.perf_counter() - t0:.1f}s")
    return {"inserted": todo, "seconds": round(time.perf_counter() - t0, 1), "total": have + todo}
