#!/usr/bin/env python3
"""Coverage on a real OpenStreetMap extract: LawCircle (Rust) against
networkx, on the same graph, in the same run.

1. builds and runs `core/examples/coverage_export` (release): it imports the
   extract, places a synthetic district (villages and single-product
   facilities on network nodes, fixed seed), times LawCircle's
   `coverage::compute` end to end (all villages × 8 products, the products
   swept together over the hierarchy), the report from points snapped once,
   the same two with one Dijkstra search per product (the search before the
   sweeps), and the searches alone: one sweep for all 8 products, per
   product on the contracted and on the full graph (taking turns within
   each run), and exports the graph, the sources and its distances as JSON;
2. loads the same edge list into networkx and runs the same computation:
   one `multi_source_dijkstra_path_length` per product from that product's
   facilities, read at every village (the same number of runs);
3. checks that both give the same distances and prints the ratios of the
   medians and of the minimums (the run least disturbed by a shared
   machine) of both sides.

networkx is installed into a venv under the cache
(${LAWCIRCLE_CACHE:-~/.cache/lawcircle}/venv-bench) on first use.

Usage: scripts/bench-coverage-networkx.py [EXTRACT.osm.pbf] [villages] [facilities-per-product] [runs]
Default extract: $LAWCIRCLE_OSM_DIR/Helsinki.osm.pbf (see scripts/fetch-osm-fixtures).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("LAWCIRCLE_CACHE", Path.home() / ".cache" / "lawcircle"))
VENV = CACHE / "venv-bench"


def ensure_networkx():
    try:
        import networkx  # noqa: F401
        return
    except ImportError:
        pass
    if os.environ.get("LAWCIRCLE_BENCH_IN_VENV"):
        sys.exit("networkx is still missing inside the venv")
    if not (VENV / "bin" / "python").exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    subprocess.check_call([str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "networkx"])
    env = dict(os.environ, LAWCIRCLE_BENCH_IN_VENV="1")
    os.execve(str(VENV / "bin" / "python"), [str(VENV / "bin" / "python"), *sys.argv], env)


def main():
    ensure_networkx()
    import networkx as nx

    osm_dir = os.environ.get("LAWCIRCLE_OSM_DIR")
    pbf = sys.argv[1] if len(sys.argv) > 1 else (osm_dir and f"{osm_dir}/Helsinki.osm.pbf")
    if not pbf or not Path(pbf).exists():
        sys.exit("no extract: run `export LAWCIRCLE_OSM_DIR=$(scripts/fetch-osm-fixtures)` first")
    villages = sys.argv[2] if len(sys.argv) > 2 else "400"
    per_product = sys.argv[3] if len(sys.argv) > 3 else "25"
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5

    env = dict(os.environ)
    env.setdefault("CARGO_TARGET_DIR", str(ROOT / "target"))
    subprocess.check_call(
        ["cargo", "build", "--quiet", "--release", "-p", "lawcircle-core", "--example", "coverage_export"],
        cwd=ROOT, env=env)
    exe = Path(env["CARGO_TARGET_DIR"]) / "release" / "examples" / "coverage_export"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cov.json"
        subprocess.check_call([str(exe), pbf, str(out), villages, per_product, str(runs)])
        data = json.loads(out.read_text())

    g = nx.Graph()
    g.add_nodes_from(range(data["nodes"]))
    for u, v, w in data["edges"]:
        # Parallel ways between two nodes: keep the shorter, as Dijkstra would.
        if g.has_edge(u, v) and g[u][v]["weight"] <= w:
            continue
        g.add_edge(u, v, weight=w)

    village_nodes = data["villages"]
    times = []
    result = {}
    for _ in range(runs):
        t = time.perf_counter()
        result = {}
        for product, sources in data["facilities"].items():
            dist = nx.multi_source_dijkstra_path_length(g, set(sources), weight="weight")
            result[product] = [dist.get(v) for v in village_nodes]
        times.append(time.perf_counter() - t)
    nx_times = times

    worst = 0.0
    for product, rust in data["rust"]["distances"].items():
        for a, b in zip(rust, result[product]):
            if (a is None) != (b is None):
                sys.exit(f"{product}: reachability differs ({a} vs {b})")
            if a is not None:
                worst = max(worst, abs(a - b))
    if worst > 1e-6:
        sys.exit(f"distances differ by up to {worst} m")

    rust = data["rust"]
    net = data["network"]
    print(f"extract: {pbf}")
    print(f"graph: {data['nodes']} nodes, {len(data['edges'])} edges, {net['km']:.1f} km of walkable way; "
          f"contracted: {net['junctions']} junctions, {net['chains']} chains "
          f"(derived in {net['contract_s'] * 1000:.2f} ms)")
    print(f"hierarchy: {net['shortcuts']} shortcuts, {net['hierarchy_arcs']} upward arcs "
          f"(ranked once per network in {net['hierarchy_s'] * 1000:.2f} ms, not part of the times below)")
    print(f"coverage: {len(village_nodes)} villages x {len(data['facilities'])} products, {runs} runs each; "
          f"the seven LawCircle measurements take turns within each run")
    print("  networkx and LawCircle each run on one thread")
    print("  (median | minimum of the runs, on both sides; ratio = networkx / LawCircle)")

    def row(label, rust_times, goal=""):
        med, low = statistics.median(rust_times), min(rust_times)
        print(f"  {label}: {med * 1000:.2f} | {low * 1000:.2f} ms, "
              f"ratio {statistics.median(nx_times) / med:.1f}x | {min(nx_times) / low:.1f}x{goal}")

    print(f"  networkx multi_source_dijkstra (Dijkstra only): "
          f"{statistics.median(nx_times) * 1000:.2f} | {min(nx_times) * 1000:.2f} ms")
    row("LawCircle end to end, products swept together (snapping every point, searches, report)",
        rust["coverage_times_s"], " (goal >= 50x)")
    row("LawCircle end to end, one search per product (before the sweeps)",
        rust["coverage_per_product_times_s"])
    row(f"LawCircle report, points snapped once, swept (snapping {rust['snap_once_s'] * 1000:.2f} ms, once)",
        rust["report_times_s"])
    row("LawCircle report, points snapped once, one search per product", rust["report_per_product_times_s"])
    row("LawCircle searches alone, one sweep for all 8 products (same seeds and targets as networkx)",
        rust["sweep_times_s"])
    row("LawCircle searches alone, per product, contracted graph", rust["searches_times_s"])
    row("LawCircle searches alone, per product, full graph", rust["full_searches_times_s"])
    print(f"  distances agree to {worst:.2e} m")
    print(f"network file: {net['file_bytes']} B = {net['bytes_per_km']:.0f} B per km "
          f"({net['file_bytes'] / net['pbf_bytes']:.2f}x the .osm.pbf)")
    print(f"  load {net['load_s'] * 1000:.2f} ms vs import from .osm.pbf {net['import_s'] * 1000:.1f} ms: "
          f"{net['import_s'] / net['load_s']:.0f}x faster")


if __name__ == "__main__":
    main()
