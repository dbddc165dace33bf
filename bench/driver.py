#!/usr/bin/env python3
"""Runs the benchmarks and writes the report. Called by bench/run.sh, which builds what this
needs first; see docs/benchmarks.md for what is measured and why.

Every measurement runs in a process of its own, and the fake Claude server runs in yet another
one (the mcqgen-fake-claude binary), so that no process's CPU time or memory includes another's.
Only 127.0.0.1 is ever contacted.
"""

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import documents  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
API_KEY = "bench-key"


# ---- sizes -----------------------------------------------------------------------------------

def full_plan():
    return {
        "runs": 5,
        "client": {"latency_ms": 200, "concurrency": [1, 16, 64], "requests_per_lane": 20},
        "pipeline": {"author_ms": 800, "judge_ms": 400, "questions": 20, "candidates": 4,
                     "concurrency": [8, 20, 40], "document_bytes": 10_000},
        "scale_runs": 3,
        # (document bytes, tests): every test count for the small documents; the large ones stop
        # where one run would take minutes (the offline cost per question grows with the size).
        "offline": [(10_000, t) for t in (1, 10, 100, 1000)] +
                   [(100_000, t) for t in (1, 10, 100)] +
                   [(1_000_000, t) for t in (1, 10, 100)] +
                   [(5_000_000, t) for t in (1, 10)],
        "claude_scale": {"tests": 50, "questions": 20, "concurrency": 64, "author_ms": 800,
                         "judge_ms": 400, "document_bytes": 10_000},
    }


def smoke_plan():
    return {
        "runs": 1,
        "client": {"latency_ms": 50, "concurrency": [1, 4], "requests_per_lane": 10},
        "pipeline": {"author_ms": 80, "judge_ms": 40, "questions": 20, "candidates": 4,
                     "concurrency": [2, 20], "document_bytes": 10_000},
        "scale_runs": 1,
        "offline": [(10_000, 1), (10_000, 3), (100_000, 1)],
        "claude_scale": {"tests": 2, "questions": 20, "concurrency": 64, "author_ms": 20,
                         "judge_ms": 10, "document_bytes": 10_000},
    }


# ---- processes -------------------------------------------------------------------------------

def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_json(command, env=None, timeout=1800):
    """Runs a bench program and returns the JSON object it printed last."""
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{Path(command[0]).name} failed (exit {done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")
    return json.loads(lines[-1])


class FakeServer:
    """mcqgen-fake-claude in a process of its own, on 127.0.0.1 and a free port."""

    def __init__(self, binary, tls_dir, *flags):
        self.ca_file = Path(tls_dir) / "ca.pem"
        self.process = subprocess.Popen(
            [str(binary), "--port", "0", "--tls-dir", str(tls_dir), "--api-key", API_KEY,
             *[str(f) for f in flags]],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().strip()
        if not line.startswith("listening on https://127.0.0.1:"):
            self.process.kill()
            raise RuntimeError(f"the fake server did not start: {line}"
                               f"{self.process.stderr.read()}")
        self.url = line.split()[-1]
        self.port = int(self.url.rsplit(":", 1)[1])
        self.context = ssl.create_default_context(cafile=str(self.ca_file))

    def _call(self, method, path, body=None):
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context,
                                                 timeout=30)
        try:
            headers = {"content-type": "application/json"} if body is not None else {}
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            if response.status != 200:
                raise RuntimeError(f"{method} {path}: {response.status} {payload!r}")
            return json.loads(payload)
        finally:
            connection.close()

    def reset(self):
        self._call("POST", "/_control", json.dumps({"reset_stats": True}))

    def stats(self):
        stats = self._call("GET", "/_stats")
        stats["connections_accepted"] -= 1  # the connection of this very request
        return stats

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def median(values):
    return statistics.median(values) if values else float("nan")


# ---- the parts -------------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.smoke = args.smoke
        self.plan = smoke_plan() if args.smoke else full_plan()
        self.build = Path(args.build_dir).resolve()
        self.work = Path(tempfile.mkdtemp(prefix="mcqgen-bench-"))
        self.tls_dir = self.work / "tls"
        self.fake = self.build / "tests/fake_claude/mcqgen-fake-claude"
        self.client_bench = self.build / "bench/mcqgen-client-bench"
        self.generator_bench = self.build / "bench/mcqgen-generator-bench"
        self.sdk_dir = REPO / "bench/sdk"
        for program in (self.fake, self.client_bench, self.generator_bench):
            if not program.exists():
                raise SystemExit(f"missing {program}: build with -DMCQGEN_BUILD_BENCH=ON")
        self.documents = {}
        self.results = {"plan": self.plan, "smoke": self.smoke}

    def document(self, size):
        if size not in self.documents:
            path = self.work / f"document-{size}.txt"
            path.write_text(documents.make_document(REPO / "examples/documents", size),
                            encoding="utf-8")
            self.documents[size] = path
        return self.documents[size]

    # -- 1. the client layer against the official SDK
    def client_part(self):
        plan = self.plan["client"]
        runs = []
        env = dict(os.environ, NODE_EXTRA_CA_CERTS=str(self.tls_dir / "ca.pem"))
        with FakeServer(self.fake, self.tls_dir, "--latency-ms", plan["latency_ms"]) as server:
            for rep in range(self.plan["runs"]):
                clients = ["mcqgen", "sdk"] if rep % 2 == 0 else ["sdk", "mcqgen"]
                for concurrency in plan["concurrency"]:
                    requests = plan["requests_per_lane"] * concurrency
                    for warm in (False, True):
                        for client in clients:
                            common = ["--base-url", server.url, "--ca-file",
                                      str(server.ca_file), "--api-key", API_KEY,
                                      "--concurrency", str(concurrency),
                                      "--requests", str(requests)] + (["--warm"] if warm else [])
                            if client == "mcqgen":
                                command = [str(self.client_bench)] + common
                            else:
                                command = ["node", str(self.sdk_dir / "bench.mjs")] + common
                            server.reset()
                            result = run_json(command, env=env)
                            stats = server.stats()
                            if result["errors"] or stats["requests"] != requests:
                                raise RuntimeError(f"{client} C={concurrency}: {result} {stats}")
                            result["connections_opened"] = stats["connections_accepted"]
                            result["server_peak_in_flight"] = stats["peak_in_flight"]
                            runs.append(result)
                            log(f"client {client:6} C={concurrency:<3} "
                                f"{'warm' if warm else 'cold'}: {result['wall_ms']:.0f} ms, "
                                f"{result['cpu_us_per_request']:.0f} us/request, "
                                f"{result['connections_opened']} connections")
        self.results["client"] = runs

    # -- 2. the pipeline against the original service's schedule
    def pipeline_part(self):
        plan = self.plan["pipeline"]
        document = self.document(plan["document_bytes"])
        runs = []
        with FakeServer(self.fake, self.tls_dir, "--author-latency-ms", plan["author_ms"],
                        "--judge-latency-ms", plan["judge_ms"]) as server:
            for rep in range(self.plan["runs"]):
                for concurrency in plan["concurrency"]:
                    server.reset()
                    result = run_json([
                        str(self.generator_bench), "--document", str(document), "--tests", "2",
                        "--questions", str(plan["questions"]),
                        "--candidates", str(plan["candidates"]), "--base-url", server.url,
                        "--ca-file", str(server.ca_file), "--api-key", API_KEY,
                        "--concurrency", str(concurrency)])
                    result["server"] = server.stats()
                    result["concurrency"] = concurrency
                    if result["statuses"] != {"completed": 2}:
                        raise RuntimeError(f"pipeline C={concurrency}: {result}")
                    runs.append(result)
                    log(f"pipeline C={concurrency:<3}: {result['test_wall_ms_first']:.0f} ms "
                        f"cold, {result['test_wall_ms_rest_median']:.0f} ms warm, "
                        f"{result['server']['requests']} calls")
        self.results["pipeline"] = runs

    # -- 3. scale: offline into SQLite, then the Claude path at 1,000 questions
    def scale_part(self):
        runs = []
        for size, tests in self.plan["offline"]:
            document = self.document(size)
            for rep in range(self.plan["scale_runs"]):
                db = self.work / "scale.db"
                for leftover in self.work.glob("scale.db*"):
                    leftover.unlink()
                result = run_json([str(self.generator_bench), "--offline", "--document",
                                   str(document), "--tests", str(tests), "--db", str(db)])
                result["db_bytes"] = sum(p.stat().st_size for p in self.work.glob("scale.db*"))
                for leftover in self.work.glob("scale.db*"):
                    leftover.unlink()
                if result["statuses"] != {"completed": tests}:
                    raise RuntimeError(f"offline {size} B x {tests}: {result}")
                runs.append(result)
                log(f"offline {size:>9} B x {tests:<4}: {result['cpu_us_per_question']:.0f} "
                    f"us/question, {result['peak_rss_kib'] / 1024:.1f} MiB")
        self.results["offline"] = runs

        plan = self.plan["claude_scale"]
        document = self.document(plan["document_bytes"])
        runs = []
        with FakeServer(self.fake, self.tls_dir, "--author-latency-ms", plan["author_ms"],
                        "--judge-latency-ms", plan["judge_ms"]) as server:
            for rep in range(self.plan["scale_runs"]):
                server.reset()
                result = run_json([
                    str(self.generator_bench), "--document", str(document),
                    "--tests", str(plan["tests"]), "--questions", str(plan["questions"]),
                    "--base-url", server.url, "--ca-file", str(server.ca_file),
                    "--api-key", API_KEY, "--concurrency", str(plan["concurrency"])])
                result["server"] = server.stats()
                if result["statuses"] != {"completed": plan["tests"]}:
                    raise RuntimeError(f"claude scale: {result}")
                runs.append(result)
                log(f"claude {plan['tests']} x {plan['questions']}: {result['wall_ms']:.0f} ms, "
                    f"{result['peak_rss_kib'] / 1024:.1f} MiB, "
                    f"{result['sockets_at_end']} sockets at the end")
        self.results["claude_scale"] = runs

    def close(self):
        shutil.rmtree(self.work, ignore_errors=True)


# ---- schedules -------------------------------------------------------------------------------

def best_schedule_bound(slots, concurrency, author, judge):
    """Lower bound on the makespan of `slots` author->judge chains on `concurrency` lanes: the
    critical path, and the total work spread evenly over the lanes, rounded up to a multiple of
    gcd(author, judge) (every lane's busy time is such a multiple)."""
    grain = math.gcd(author, judge)
    work = slots * (author + judge)
    return max(author + judge, math.ceil(work / (concurrency * grain)) * grain)


def fifo_schedule(slots, concurrency, author, judge):
    """Makespan when every author call is queued at once and each judge call joins the back of
    the queue when its author call ends: what mcqgen's client does, with zero overhead."""
    queue = [("author", s) for s in range(slots)]
    running = []  # (end time, kind, slot)
    now = 0
    while queue or running:
        while queue and len(running) < concurrency:
            kind, slot = queue.pop(0)
            running.append((now + (author if kind == "author" else judge), kind, slot))
        running.sort()
        now = running[0][0]
        finished = [r for r in running if r[0] == now]
        running = [r for r in running if r[0] != now]
        for _, kind, slot in finished:
            if kind == "author":
                queue.append(("judge", slot))
    return now


def original_schedule(slots, candidates, author, judge, workers=4):
    """The original service: one author call per candidate on `workers` threads, then one judge
    call per question, one after another."""
    return math.ceil(slots * candidates / workers) * author + slots * judge


# ---- the report ------------------------------------------------------------------------------

def machine_info(build):
    def read(path):
        try:
            return Path(path).read_text()
        except OSError:
            return ""

    cpu = next((line.split(":", 1)[1].strip() for line in read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), "unknown")
    mem_kib = next((int(line.split()[1]) for line in read("/proc/meminfo").splitlines()
                    if line.startswith("MemTotal")), 0)
    os_name = next((line.split("=", 1)[1].strip('"') for line in
                    read("/etc/os-release").splitlines() if line.startswith("PRETTY_NAME")),
                   platform.system())
    cache = read(Path(build) / "CMakeCache.txt")

    def cache_value(key):
        for line in cache.splitlines():
            if line.startswith(key + ":"):
                return line.split("=", 1)[1]
        return ""

    def first_line(command):
        try:
            return subprocess.run(command, capture_output=True, text=True,
                                  timeout=30).stdout.splitlines()[0].strip()
        except (OSError, IndexError, subprocess.SubprocessError):
            return "unknown"

    def package_version(name):
        try:
            path = REPO / "bench/sdk/node_modules" / name / "package.json"
            return json.loads(path.read_text())["version"]
        except (OSError, ValueError, KeyError):
            return "unknown"

    compiler = cache_value("CMAKE_CXX_COMPILER")
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "os": os_name,
        "kernel": platform.release(),
        "compiler": first_line([compiler, "--version"]) if compiler else "unknown",
        "build_type": cache_value("CMAKE_BUILD_TYPE") or "unknown",
        "node": first_line(["node", "--version"]),
        "sdk": package_version("@anthropic-ai/sdk"),
        "undici": package_version("undici"),
        "gnuplot": first_line(["gnuplot", "--version"]),
        "load_start": os.getloadavg(),
    }


def fmt(value, digits=0):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def verdict(met):
    return "**met**" if met else "**missed**"


class Report:
    def __init__(self, results, machine, out_dir, command):
        self.r = results
        self.machine = machine
        self.out = Path(out_dir)
        self.command = command
        self.lines = []
        self.targets = []  # (target, measured, met)

    def add(self, *lines):
        self.lines.extend(lines)

    def table(self, header, rows):
        self.add("| " + " | ".join(header) + " |",
                 "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|")
        for row in rows:
            self.add("| " + " | ".join(str(c) for c in row) + " |")
        self.add("")

    # -- 1
    def client_summary(self):
        plan = self.r["plan"]["client"]
        latency = plan["latency_ms"]
        summary = {}
        for run in self.r["client"]:
            key = (run["client"], run["concurrency"], run["warm"])
            summary.setdefault(key, []).append(run)
        rows = {}
        for (client, concurrency, warm), runs in summary.items():
            requests = runs[0]["requests"]
            ideal = math.ceil(requests / concurrency) * latency
            wall = median([r["wall_ms"] for r in runs])
            rows[(client, concurrency, warm)] = {
                "requests": requests, "ideal": ideal, "wall": wall, "ratio": wall / ideal,
                "p50": median([r["latency_p50_ms"] for r in runs]),
                "p99": median([r["latency_p99_ms"] for r in runs]),
                "cpu": median([r["cpu_us_per_request"] for r in runs]),
                "connections": median([r["connections_opened"] for r in runs]),
                "rss": median([r["peak_rss_kib"] for r in runs]),
                "runs": len(runs),
            }
        return rows

    def client_section(self):
        plan = self.r["plan"]["client"]
        rows = self.client_summary()
        self.client_rows = rows
        runs = self.r["plan"]["runs"]
        self.add("## 1. The client layer against the official SDK", "",
                 f"The fake server answers every call after {plan['latency_ms']} ms, without "
                 "faults. Each client sends M = "
                 f"{plan['requests_per_lane']} × C calls (a minimal Messages request with a "
                 "one-field JSON-schema output) as a closed loop of C lanes: a lane sends its "
                 "next call when its previous one has been answered, so a call's latency is its "
                 "round trip and nothing else. Both clients verify the server's certificate "
                 "against the fake CA and parse every response body as JSON (and the structured "
                 "text inside it). The fake server runs in its own process, so the CPU time "
                 "below (getrusage user + system for mcqgen, `process.cpuUsage()` for Node, "
                 "over the timed window only) is the client's alone.", "",
                 "- **mcqgen**: `bench/client_bench.cpp`, the internal `HttpsClient` on one "
                 "io_context thread, `max_concurrency = C`, `max_retries = 0`, CA file of the "
                 "fake, Boost.JSON.",
                 f"- **SDK**: `bench/sdk/bench.mjs`, `@anthropic-ai/sdk` "
                 f"{self.machine['sdk']} with `maxRetries: 0`, `fetch: undici.fetch` and "
                 "`fetchOptions: {dispatcher: new undici.Agent({connections: C, connect: "
                 f"{{ca}}}})}}` (undici {self.machine['undici']}), `NODE_EXTRA_CA_CERTS` set "
                 "before node starts.",
                 "- **cold**: the connections are opened inside the timed window. **warm**: a "
                 "first, untimed round of C calls opens them, the server's counters are reset, "
                 "then the clock starts.",
                 f"- ideal = ceil(M / C) × {plan['latency_ms']} ms. Connections: opened during "
                 "the timed window, counted by the server (`GET /_stats`). Every figure is the "
                 f"median of {runs} runs.", "")
        table = []
        for concurrency in plan["concurrency"]:
            for warm in (False, True):
                for client in ("mcqgen", "sdk"):
                    row = rows[(client, concurrency, warm)]
                    table.append([
                        "mcqgen" if client == "mcqgen" else "SDK", concurrency, row["requests"],
                        "warm" if warm else "cold", fmt(row["wall"]), fmt(row["ideal"]),
                        fmt(row["ratio"], 3), fmt(row["p50"], 1), fmt(row["p99"], 1),
                        fmt(row["cpu"], 1), fmt(row["connections"]),
                        fmt(row["rss"] / 1024, 1)])
        self.table(["client", "C", "M", "", "wall ms", "ideal ms", "wall / ideal", "p50 ms",
                    "p99 ms", "CPU µs / call", "connections", "peak RSS MiB"], table)
        cpu_rows = []
        for concurrency in plan["concurrency"]:
            for warm in (False, True):
                ours = rows[("mcqgen", concurrency, warm)]["cpu"]
                theirs = rows[("sdk", concurrency, warm)]["cpu"]
                cpu_rows.append([concurrency, "warm" if warm else "cold", fmt(ours, 1),
                                 fmt(theirs, 1), fmt(theirs / ours, 1) + "×"])
        self.add("Client CPU per call, side by side:", "")
        self.table(["C", "", "mcqgen µs", "SDK µs", "SDK / mcqgen"], cpu_rows)
        self.add("![Wall time against concurrency](benchmarks.png)", "")

        top = max(plan["concurrency"])
        cold = rows[("mcqgen", top, False)]
        self.targets.append((f"mcqgen's client within 5 % of ideal at C={top}, cold",
                             f"{fmt(cold['wall'])} ms against {fmt(cold['ideal'])} ms "
                             f"({(cold['ratio'] - 1) * 100:+.1f} %)", cold["ratio"] <= 1.05))
        ratios = [rows[("sdk", c, w)]["cpu"] / rows[("mcqgen", c, w)]["cpu"]
                  for c in plan["concurrency"] for w in (False, True)]
        self.targets.append(("mcqgen's CPU per call ≥ 8× lower than the SDK's",
                             f"{min(ratios):.1f}× to {max(ratios):.1f}× lower",
                             min(ratios) >= 8))

    # -- 2
    def pipeline_section(self):
        plan = self.r["plan"]["pipeline"]
        n, k = plan["questions"], plan["candidates"]
        a, j = plan["author_ms"], plan["judge_ms"]
        ideal = a + j
        original = original_schedule(n, k, a, j)
        self.add("## 2. The pipeline against the original service's schedule", "",
                 f"A {n}-question test, K = {k} candidates per slot, through the public "
                 "`Generator` (`bench/generator_bench.cpp`, `MemoryStorage`, a key pointing at "
                 f"the fake, its CA file) from a {plan['document_bytes'] // 1000} KB document "
                 f"(see §3). The fake answers author calls after {a} ms and judge calls after "
                 f"{j} ms. Each run is a new process that makes one `Generator` and calls "
                 "`generate()` twice: the **first test** pays for everything a new Generator "
                 "does (loading the CA store, opening the connections), the **second** reuses "
                 "them. Wall time is that of each `generate()` call; median of "
                 f"{self.r['plan']['runs']} runs. Calls and tokens cover both tests.", "",
                 "Reference schedules, in milliseconds, for N slots, author latency a and judge "
                 "latency j (mcqgen makes one author call per slot, which writes all K "
                 "candidates, then one judge call for the survivors):", "",
                 f"- **ideal critical path** (C ≥ N): a + j = {ideal}.",
                 "- **best schedule for C** (2 calls per slot on C lanes): the slot chains "
                 "cannot finish before a + j, and the N (a + j) of call time cannot take less "
                 "than its even spread over C lanes; every lane's busy time is a multiple of "
                 "g = gcd(a, j), so best(C) = max(a + j, ⌈N (a + j) / (C g)⌉ g). For "
                 f"N = {n}: C=8 gives max({ideal}, ⌈{n * ideal}/{8 * math.gcd(a, j)}⌉ × "
                 f"{math.gcd(a, j)}) = {best_schedule_bound(n, 8, a, j)}. A FIFO queue that "
                 "lets each judge call join the back of the queue reaches this bound for every "
                 "C measured here (simulated in `bench/driver.py`), so it is the best schedule, "
                 "not only a bound. (The naive ⌈N / C⌉ (a + j), slots in waves, gives "
                 f"{math.ceil(n / 8) * ideal} at C=8.)",
                 f"- **original service**: 4 worker threads make one author call per "
                 f"candidate, N K = {n * k} calls of a ms, then a sequential loop makes one "
                 "judge call per question: ⌈N K / 4⌉ a + N j = "
                 f"⌈{n * k}/4⌉ × {a} + {n} × {j} "
                 f"= {original}.", "")
        summary = {}
        for run in self.r["pipeline"]:
            summary.setdefault(run["concurrency"], []).append(run)
        rows = []
        for concurrency in plan["concurrency"]:
            runs = summary[concurrency]
            cold = median([r["test_wall_ms_first"] for r in runs])
            warm = median([r["test_wall_ms_rest_median"] for r in runs])
            best = best_schedule_bound(n, concurrency, a, j)
            fifo = fifo_schedule(n, concurrency, a, j)
            calls = median([r["server"]["requests"] / r["questions_stored"] for r in runs])
            authors = median([r["server"]["author_requests"] / 2 for r in runs])
            judges = median([r["server"]["judge_requests"] / 2 for r in runs])

            def tokens(run, *keys):
                return sum(run["usage"][key] for key in keys) / run["questions_stored"]

            inputs = median([tokens(r, "input_tokens", "cache_creation_input_tokens",
                                    "cache_read_input_tokens") for r in runs])
            cached = median([tokens(r, "cache_read_input_tokens") for r in runs])
            outputs = median([tokens(r, "output_tokens") for r in runs])
            reference = ideal if concurrency >= n else best
            second_rounds = sum(1 for r in runs for calls in r.get("test_requests", [])
                                if calls > 2 * n)
            rows.append([concurrency, fmt(cold), fmt(warm),
                         fmt(best) + ("" if best == fifo else f" (FIFO {fmt(fifo)})"),
                         fmt(original),
                         fmt(cold / reference, 3), fmt(warm / reference, 3),
                         fmt(original / cold, 1) + "×",
                         f"{fmt(calls, 2)} ({fmt(authors, 1)} + {fmt(judges, 1)})",
                         f"{second_rounds} of {2 * len(runs)}",
                         f"{fmt(inputs)} in ({fmt(cached)} cached) + {fmt(outputs)} out"])
            if concurrency >= n:
                self.targets.append((f"pipeline at C={concurrency} within 10 % of the ideal "
                                     "critical path (first test of a new Generator)",
                                     f"{fmt(cold)} ms against {ideal} ms "
                                     f"({(cold / ideal - 1) * 100:+.1f} %; second test "
                                     f"{(warm / ideal - 1) * 100:+.1f} %)", cold <= 1.1 * ideal))
                self.targets.append((f"pipeline at C={concurrency} ≥ 5× faster than the "
                                     "original schedule",
                                     f"{original / cold:.1f}× ({fmt(cold)} ms against "
                                     f"{original} ms)", original / cold >= 5))
            else:
                self.targets.append((f"pipeline at C={concurrency} within 10 % of the best "
                                     f"schedule for C={concurrency} (first test)",
                                     f"{fmt(cold)} ms against {best} ms "
                                     f"({(cold / best - 1) * 100:+.1f} %; second test "
                                     f"{(warm / best - 1) * 100:+.1f} %)", cold <= 1.1 * best))
        self.table(["C", "first test ms", "second test ms", "best for C (= ideal when C ≥ N)",
                    "original", "first / best", "second / best", "faster than original",
                    "calls / question (author + judge per test)",
                    "tests with a second round", "tokens / question (the fake's count)"], rows)

    # -- 3
    def scale_section(self):
        self.add("## 3. Scale", "",
                 "### Offline generator into SQLite", "",
                 "One process per configuration and run (peak RSS is per process): a "
                 "`SqliteStorage` file in a temporary directory, one `Generator`, T tests of 20 "
                 "questions generated one after another from the same document. CPU is "
                 "getrusage user + system over the generation loop, divided by the questions "
                 "stored; peak RSS is the process's `VmHWM` (/proc/self/status; `ru_maxrss` would "
                 "also count the Python parent's RSS, which Linux carries over exec); "
                 "questions/s is questions "
                 "stored over the loop's wall time (each question is its own SQLite "
                 f"transaction). Median of {self.r['plan']['scale_runs']} runs.", "",
                 "The documents: the two samples in `examples/documents/` (9.5 KB) verbatim, "
                 "then rewritten copies of their 96 sentences until the size is reached; each "
                 "copy shuffles the sentences into new paragraphs, replaces every proper name "
                 "with an invented one and shifts every number (`bench/documents.py`). The "
                 "sentence *shapes* repeat about every 9.5 KB, so large documents are "
                 "formulaic: many sentences differ only in names and numbers.", "")
        summary = {}
        for run in self.r["offline"]:
            summary.setdefault((run["document_bytes"], run["tests"]), []).append(run)
        rows = []
        self.offline_rows = {}
        for (size, tests), runs in sorted(summary.items()):
            row = {
                "cpu": median([r["cpu_us_per_question"] for r in runs]),
                "rss": median([r["peak_rss_kib"] for r in runs]) / 1024,
                "qps": median([r["questions_per_second"] for r in runs]),
                "wall": median([r["wall_ms"] for r in runs]),
                "first": median([r["test_wall_ms_first"] for r in runs]),
                "test": median([r["test_wall_ms_median"] for r in runs]),
                "db": median([r["db_bytes"] for r in runs]) / 1024 / 1024,
                "questions": runs[0]["questions_stored"],
            }
            self.offline_rows[(size, tests)] = row
            rows.append([fmt(size / 1000) + " KB", tests, fmt(row["questions"]),
                         fmt(row["cpu"] / 1000, 2), fmt(row["rss"], 1), fmt(row["qps"]),
                         fmt(row["test"]), fmt(row["wall"] / 1000, 2), fmt(row["db"], 1)])
        self.table(["document", "tests", "questions", "CPU ms / question", "peak RSS MiB",
                    "questions / s", "ms / test (median)", "wall s", "database MiB"], rows)

        smallest = min(size for size, _ in summary)
        series = [(t, self.offline_rows[(smallest, t)]["cpu"])
                  for (s, t) in sorted(summary) if s == smallest]
        spread = max(c for _, c in series) / min(c for _, c in series)
        self.targets.append((f"offline CPU per question flat from {series[0][0]} to "
                             f"{series[-1][0]} tests ({fmt(smallest / 1000)} KB document; "
                             "flat = largest / smallest ≤ 1.2)",
                             " → ".join(f"{c / 1000:.2f}" for _, c in series) +
                             f" ms (×{spread:.2f})", spread <= 1.2))

        plan = self.r["plan"]["claude_scale"]
        runs = self.r["claude_scale"]
        ideal = plan["tests"] * (plan["author_ms"] + plan["judge_ms"])
        wall = median([r["wall_ms"] for r in runs])
        rss = median([r["peak_rss_kib"] for r in runs]) / 1024
        sockets = max(r["sockets_at_end"] for r in runs)
        after = max(r["sockets_after_generator"] for r in runs)
        questions = runs[0]["questions_stored"]
        self.claude_scale = {"wall": wall, "ideal": ideal, "rss": rss, "sockets": sockets}
        self.add("### The Claude path at 1,000 questions" if not self.r["smoke"] else
                 "### The Claude path (smoke size)", "",
                 f"{plan['tests']} tests × {plan['questions']} questions, one after another "
                 f"with one `Generator` (`max_concurrency = {plan['concurrency']}`, "
                 "`MemoryStorage`), against the fake with author latency "
                 f"{plan['author_ms']} ms and judge latency {plan['judge_ms']} ms. A test has "
                 f"{plan['questions']} slots, fewer than C, so each test's ideal is its critical "
                 f"path a + j and the run's ideal is {plan['tests']} × "
                 f"{plan['author_ms'] + plan['judge_ms']} = {ideal} ms. Sockets: entries of "
                 "`/proc/self/fd` that are sockets, counted after the last test (the Generator "
                 "keeps its connection pool) and after the Generator is destroyed. Median of "
                 f"{len(runs)} runs (sockets: the largest).", "")
        per_test = plan["author_ms"] + plan["judge_ms"]
        test_walls = [w for r in runs for w in r.get("test_wall_ms", [])]
        retried = [sum(1 for calls in r.get("test_requests", []) if calls > 2 * plan["questions"])
                   for r in runs]
        self.table(["questions", "wall ms", "ideal ms", "wall / ideal", "median test ms",
                    "tests with a second round (per run)", "slowest test ms",
                    "CPU ms / question", "peak RSS MiB", "calls / question",
                    "sockets at the end", "after ~Generator"],
                   [[questions, fmt(wall), fmt(ideal), fmt(wall / ideal, 3),
                     f"{fmt(median(test_walls))} "
                     f"({(median(test_walls) / per_test - 1) * 100:+.1f} %)"
                     if test_walls else "–",
                     " / ".join(str(n) for n in retried) + f" of {plan['tests']}",
                     fmt(max(test_walls)) if test_walls else "–",
                     fmt(median([r["cpu_us_per_question"] for r in runs]) / 1000, 3),
                     fmt(rss, 1),
                     fmt(median([r["server"]["requests"] / r["questions_stored"]
                                 for r in runs]), 2),
                     sockets, after]])
        self.targets.append((f"peak RSS for {questions} questions (Claude path) under 64 MB",
                             f"{rss:.1f} MiB", rss < 64))
        self.targets.append((f"open sockets at the end ≤ C = {plan['concurrency']}",
                             f"{sockets} (0 after the Generator is destroyed)" if after == 0
                             else f"{sockets}, {after} after the Generator", sockets <=
                             plan["concurrency"]))

    def render(self, notes):
        m = self.machine
        head = [
            "# Benchmarks", "",
            "Generated by `bash bench/run.sh` " +
            ("in smoke mode (tiny sizes; not the real figures) " if self.r["smoke"] else "") +
            f"on {datetime.date.today().isoformat()}; every table below comes from that run. "
            "The benchmarks are not run by CI except the smoke mode "
            "(`ctest -L bench`, or `bash bench/run.sh --smoke`).", "",
            "## The machine", "",
            f"- {m['nproc']} cores: {m['cpu']}; {m['memory_gib']} GiB of memory",
            f"- {m['os']}, Linux {m['kernel']}",
            f"- {m['compiler']}, CMake build type {m['build_type']}",
            f"- Node.js {m['node']}, `@anthropic-ai/sdk` {m['sdk']}, undici {m['undici']}; "
            f"{m['gnuplot']}",
            f"- load average (1 min) when the run started: {m['load_start'][0]:.2f}, when it "
            f"ended: {m.get('load_end', [float('nan')])[0]:.2f} — the machine was shared with "
            "other engineers' builds, so every timing is a median of several runs.", "",
            "Command, from the repository root (builds what is needed into `build-bench/`, "
            "installs the npm packages into `bench/sdk/` and gnuplot if missing, runs "
            "everything, rewrites this file and `docs/benchmarks.png`):", "",
            "```sh", self.command, "```", "",
        ]
        targets = ["## Targets", "", "| target | measured | |", "|---|---|---|"]
        for target, measured, met in self.targets:
            targets.append(f"| {target} | {measured} | {verdict(met)} |")
        targets.append("")
        body = head + targets + self.lines
        if notes:
            body += ["## What was found", "", notes.strip(), ""]
        return "\n".join(body) + "\n"

    def plot(self, png, scratch):
        plan = self.r["plan"]["client"]
        data = Path(scratch) / "benchmarks.dat"
        with data.open("w") as f:
            f.write("# C ideal_s mcqgen_cold mcqgen_warm sdk_cold sdk_warm "
                    "cpu_mcqgen_cold cpu_mcqgen_warm cpu_sdk_cold cpu_sdk_warm\n")
            for c in plan["concurrency"]:
                row = [c, self.client_rows[("mcqgen", c, False)]["ideal"] / 1000]
                for client in ("mcqgen", "sdk"):
                    for warm in (False, True):
                        row.append(self.client_rows[(client, c, warm)]["wall"] / 1000)
                for client in ("mcqgen", "sdk"):
                    for warm in (False, True):
                        row.append(self.client_rows[(client, c, warm)]["cpu"])
                f.write(" ".join(f"{v:.6g}" for v in row) + "\n")
        script = Path(scratch) / "benchmarks.gp"
        title = (f"M = {plan['requests_per_lane']} × C calls, {plan['latency_ms']} ms per call, "
                 f"against the fake Claude server (median of {self.r['plan']['runs']} runs)")
        script.write_text(f"""
set terminal pngcairo size 1200,480 font "DejaVu Sans,10"
set output "{png}"
set multiplot layout 1,2 title "{title}"
set logscale x 2
set xrange [0.8:{max(plan["concurrency"]) * 1.25}]
set xtics ({", ".join(str(c) for c in plan["concurrency"])})
set xlabel "concurrency C"
set grid
set key bottom right Left reverse
set ylabel "wall time (s)"
set yrange [0:*]
set title "Wall time"
plot "{data}" using 1:2 with lines dt 2 lw 2 lc rgb "black" title "ideal ceil(M/C) × latency", \\
     "" using 1:3 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "mcqgen cold", \\
     "" using 1:4 with linespoints lw 2 pt 6 dt 3 lc rgb "#1f77b4" title "mcqgen warm", \\
     "" using 1:5 with linespoints lw 2 pt 5 lc rgb "#d62728" title "SDK cold", \\
     "" using 1:6 with linespoints lw 2 pt 4 dt 3 lc rgb "#d62728" title "SDK warm"
set logscale y 10
set yrange [*:*]
set key top right Left reverse
set ylabel "client CPU per call (µs, log scale)"
set title "Client CPU per call"
plot "{data}" using 1:7 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "mcqgen cold", \\
     "" using 1:8 with linespoints lw 2 pt 6 dt 3 lc rgb "#1f77b4" title "mcqgen warm", \\
     "" using 1:9 with linespoints lw 2 pt 5 lc rgb "#d62728" title "SDK cold", \\
     "" using 1:10 with linespoints lw 2 pt 4 dt 3 lc rgb "#d62728" title "SDK warm"
unset multiplot
""")
        subprocess.run(["gnuplot", str(script)], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--out-dir", required=True, help="where benchmarks.md/.png go")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--command", default="bash bench/run.sh")
    parser.add_argument("--parts", default="client,pipeline,scale")
    parser.add_argument("--results", help="write the raw results (JSON) here")
    parser.add_argument("--from-results", help="skip the runs: report from this JSON file")
    args = parser.parse_args()

    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    machine = machine_info(args.build_dir)
    if args.from_results:
        results = json.loads(Path(args.from_results).read_text())
        machine = results.get("machine", machine)
    else:
        bench = Bench(args)
        try:
            parts = args.parts.split(",")
            if "client" in parts:
                bench.client_part()
            if "pipeline" in parts:
                bench.pipeline_part()
            if "scale" in parts:
                bench.scale_part()
        finally:
            bench.close()
        results = bench.results
        machine["load_end"] = os.getloadavg()
        results["machine"] = machine
        if args.results:
            Path(args.results).write_text(json.dumps(results, indent=1))

    report = Report(results, machine, out, args.command)
    if "client" in results:
        report.client_section()
    if "pipeline" in results:
        report.pipeline_section()
    if "claude_scale" in results:
        report.scale_section()
    notes_file = REPO / "bench/findings.md"
    notes = None if results["smoke"] or not notes_file.exists() else notes_file.read_text()
    text = report.render(notes)
    if not results["smoke"] and (out / "benchmarks.md").exists():
        # The long-documents section comes from bench/long_documents.py: kept as it was.
        from long_documents import carry_section
        text = carry_section((out / "benchmarks.md").read_text(encoding="utf-8"), text)
    (out / "benchmarks.md").write_text(text, encoding="utf-8")
    if "client" in results and not shutil.which("gnuplot") and results["smoke"]:
        log("gnuplot is missing: no plot in this smoke run")
    elif "client" in results:
        with tempfile.TemporaryDirectory(prefix="mcqgen-plot-") as scratch:
            report.plot(out / "benchmarks.png", scratch)
    log(f"wrote {out / 'benchmarks.md'}")


if __name__ == "__main__":
    main()
