"""Page latencies of this checkout against another one, measured in alternation.

    python bench/pages_paired.py --baseline ../kerma-at-some-commit \
        --database postgresql://postgres@127.0.0.1:5432/kerma_bench_1m [--rounds 5] [--requests 10]

On a shared machine latencies drift by tens of per cent within minutes, so two runs of
``bench/pages.py`` minutes apart cannot show a change of a few ms. This starts one process per
checkout (each importing its own ``app`` and ``bench.run``, on the same database), warms both,
then for every round and page has each side time ``--requests`` requests in turn (the order of
the two sides alternating between rounds), and prints each side's median and p95 over all its
requests. Give a checkout of an earlier commit (``git worktree add DIR COMMIT``) as the
baseline; its code must run on the current schema (columns added since are ignored by it).
It writes only the benchmark user. Not a test: the figures go to docs/performance.md.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

#: The worker: reads a page label per line, answers with the timings (s) of its requests.
WORKER = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from bench.run import PAGES, _admin_client, _urls, make_app, time_requests
app = make_app(sys.argv[2])
client = _admin_client(app)
requests = int(sys.argv[3])
pages = {label: (endpoint, query) for label, endpoint, query in PAGES
         if endpoint in app.view_functions}
urls = {label: _urls(app, endpoint, query, requests) for label, (endpoint, query) in pages.items()}
urls = {label: found for label, found in urls.items() if found}
for found in urls.values():
    time_requests(client, found[:2])  # warm caches and templates
print(json.dumps(sorted(urls)), flush=True)
for line in sys.stdin:
    times, statuses = time_requests(client, urls[line.strip()])
    print(json.dumps([times, sorted(statuses)]), flush=True)
"""


def start(checkout, database, requests):
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(checkout), database, str(requests)],
        cwd=checkout, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONPATH=str(checkout)))
    labels = json.loads(process.stdout.readline())
    return process, labels


def ask(process, label):
    process.stdin.write(label + "\n")
    process.stdin.flush()
    return json.loads(process.stdout.readline())


def _p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, type=Path, help="the other checkout")
    parser.add_argument("--database", default=os.environ.get("KERMA_BENCH_DATABASE_URL"),
                        required="KERMA_BENCH_DATABASE_URL" not in os.environ)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=10, help="per page, side and round")
    args = parser.parse_args()

    sides = {"this checkout": start(HERE, args.database, args.requests),
             "baseline": start(args.baseline.resolve(), args.database, args.requests)}
    labels = [label for label in sides["this checkout"][1] if label in sides["baseline"][1]]
    times = {side: {label: [] for label in labels} for side in sides}
    statuses = {side: {label: set() for label in labels} for side in sides}
    for round_number in range(args.rounds):
        order = list(sides) if round_number % 2 == 0 else list(reversed(sides))
        for label in labels:
            for side in order:
                found, codes = ask(sides[side][0], label)
                times[side][label].extend(found)
                statuses[side][label].update(codes)
    for process, _ in sides.values():
        process.stdin.close()
        process.wait()

    print(f"{args.rounds} rounds x {args.requests} requests per page and side, alternating\n")
    print("| Page | This checkout, median ms | p95 | Baseline, median ms | p95 | Statuses |")
    print("|---|---:|---:|---:|---:|---|")
    for label in labels:
        ours, theirs = times["this checkout"][label], times["baseline"][label]
        codes = sorted(statuses["this checkout"][label] | statuses["baseline"][label])
        print(f"| {label} | {statistics.median(ours) * 1000:.1f} | {_p95(ours) * 1000:.1f} | "
              f"{statistics.median(theirs) * 1000:.1f} | {_p95(theirs) * 1000:.1f} | "
              f"{', '.join(map(str, codes))} |")


if __name__ == "__main__":
    main()
