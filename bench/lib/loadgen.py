"""HTTP load generator: a process of its own (run with the bench venv's Python).

Two clients (--client):

- raw (the default): each request is one TCP connection (an asyncio Protocol), the request's bytes built once per
  body, `Connection: close`, the answer read to EOF; its status line is parsed and its length checked against
  Content-Length. It needs no package and costs about a tenth of aiohttp's CPU per request, which matters
  here: the client runs on the same two cores as the server it measures (bench/RESULTS.md).
- aiohttp: the same requests through aiohttp (in the bench venv), kept to compare the two in one command.

Two modes, both bounded by --n requests and --max-seconds:

- closed loop (--rate 0): --concurrency clients, each sends its next request when the last one answers. Gives
  the most the server does at that concurrency; latency then includes the queue the clients themselves build.
- open loop (--rate R): request i is due at t0 + i/R whatever happened before, at most --concurrency in flight.
  Latency is counted from the moment the request was *due*, not sent, so a server that falls behind is charged
  for the wait (no coordinated omission). This is the test of "R appeals/s with p99 under X".

Requests still waiting for a free slot when --max-seconds is reached are dropped and counted as such.
Payloads are JSON lines; request i sends line i mod len. Only 127.0.0.1 / localhost targets are accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from urllib.parse import urlsplit


class _Exchange(asyncio.Protocol):
    """One request on one connection: write it, collect the answer until the server closes."""

    def __init__(self, data: bytes, done: asyncio.Future) -> None:
        self.data, self.done, self.chunks = data, done, []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.write(self.data)  # type: ignore[attr-defined]

    def data_received(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            if exc is None:
                self.done.set_result(b"".join(self.chunks))
            else:
                self.done.set_exception(exc)


async def raw_request(host: str, port: int, data: bytes, timeout: float) -> int:
    """Send one request (its full bytes) on a new connection and return the answer's status; raise if the answer
    is not HTTP or shorter than its Content-Length."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future = loop.create_future()
    transport, _ = await loop.create_connection(lambda: _Exchange(data, done), host, port)
    timer = loop.call_later(timeout, lambda: done.done() or done.set_exception(TimeoutError("no answer")))
    try:
        answer = await done
    finally:
        timer.cancel()
        transport.close()
    head_end = answer.find(b"\r\n\r\n")
    if head_end < 0:
        raise ValueError(f"no complete HTTP head in {len(answer)} bytes")
    status_line, *fields = answer[:head_end].split(b"\r\n")
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise ValueError(f"not an HTTP status line: {status_line[:60]!r}")
    for field in fields:
        name, _, value = field.partition(b":")
        if name.strip().lower() == b"content-length" and len(answer) - head_end - 4 < int(value):
            raise ValueError("answer shorter than its Content-Length")
    return int(parts[1])


def request_bytes(method: str, url: str, headers: dict[str, str], body: bytes | None) -> bytes:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target or '/'} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


async def main(args: argparse.Namespace) -> dict:
    host = urlsplit(args.url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing a target that is not this machine: {host}")
    bodies: list[bytes] = []
    if args.payloads:
        with open(args.payloads, encoding="utf-8") as f:
            bodies = [line.strip().encode() for line in f if line.strip()]
    if args.method == "POST" and not bodies:
        raise SystemExit("POST needs --payloads")
    headers = {"Content-Type": "application/json", **json.loads(args.headers or "{}")}
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: list[str] = []
    deadline = time.perf_counter() + args.max_seconds
    counter = iter(range(args.n))
    ok = 0
    dropped = 0
    port = urlsplit(args.url).port or 80
    if args.client == "raw":
        raws = [request_bytes(args.method, args.url, headers, b) for b in bodies] or [
            request_bytes(
                args.method, args.url, {k: v for k, v in headers.items() if k != "Content-Type"}, None
            )
        ]

        async def send(i: int) -> int:
            return await raw_request(host, port, raws[i % len(raws)], 30.0)

    else:
        import aiohttp

        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=args.concurrency, limit_per_host=args.concurrency),
            timeout=aiohttp.ClientTimeout(total=30),
        )

        async def send(i: int) -> int:
            body = bodies[i % len(bodies)] if bodies else None
            async with session.request(args.method, args.url, data=body, headers=headers) as resp:
                await resp.read()
                return resp.status

    try:

        async def one(i: int, due: float) -> None:
            nonlocal ok
            try:
                status = await send(i)
            except Exception as exc:
                status = 0
                if len(errors) < 5:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
            latencies.append(time.perf_counter() - due)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status == args.expect:
                ok += 1

        t0 = time.perf_counter()
        if args.rate > 0:
            sem = asyncio.Semaphore(args.concurrency)
            tasks = []

            async def scheduled(i: int, due: float) -> None:
                nonlocal dropped
                async with sem:
                    if time.perf_counter() > deadline:
                        dropped += 1  # never left the client before the time cap: not sent, not timed
                        return
                    await one(i, due)

            for i in counter:
                due = t0 + i / args.rate
                now = time.perf_counter()
                if now > deadline:
                    break
                if due > now:
                    await asyncio.sleep(due - now)
                tasks.append(asyncio.create_task(scheduled(i, due)))
            await asyncio.gather(*tasks)
        else:

            async def client() -> None:
                for i in counter:
                    if time.perf_counter() > deadline:
                        return
                    await one(i, time.perf_counter())

            await asyncio.gather(*(client() for _ in range(args.concurrency)))
        elapsed = time.perf_counter() - t0
    finally:
        if args.client != "raw":
            await session.close()

    lat = sorted(latencies)
    ms = lambda s: round(s * 1000, 1)  # noqa: E731
    return {
        "mode": "open" if args.rate > 0 else "closed",
        "client": args.client,
        "rate": args.rate,
        "concurrency": args.concurrency,
        "requested": args.n,
        "sent": len(latencies),
        "dropped_at_cap": dropped,
        "ok": ok,
        "errors": len(latencies) - ok,
        "statuses": statuses,
        "error_samples": errors,
        "seconds": round(elapsed, 2),
        "throughput": round(ok / elapsed, 1) if elapsed else 0.0,
        "p50_ms": ms(percentile(lat, 50)),
        "p95_ms": ms(percentile(lat, 95)),
        "p99_ms": ms(percentile(lat, 99)),
        "max_ms": ms(lat[-1]) if lat else float("nan"),
        "mean_ms": ms(sum(lat) / len(lat)) if lat else float("nan"),
        "timed_out": len(latencies) < args.n,
    }


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--method", default="POST")
    p.add_argument("--payloads", default="")
    p.add_argument("--n", type=int, default=5000)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--rate", type=float, default=0.0)
    p.add_argument("--expect", type=int, default=201)
    p.add_argument("--max-seconds", type=float, default=240.0)
    p.add_argument("--headers", default="{}")
    p.add_argument("--client", default="raw", choices=["raw", "aiohttp"])
    p.add_argument("--out", required=True)
    a = p.parse_args()
    report = asyncio.run(main(a))
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(report, f)
