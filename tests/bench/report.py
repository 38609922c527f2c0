#!/usr/bin/env python3
# Turns opentok-bench's JSON lines into results.md and PNG plots (gnuplot).
#
#   report.py RESULTS.jsonl OUTDIR COMMAND ELAPSED_SECONDS [LOADAVG]

import json
import os
import platform
import shutil
import subprocess
import sys

TARGETS = ["ours", "bare", "node"]
NAMES = {
    "ours": "ours (gst-opentok-server)",
    "bare": "bare libsoup relay",
    "node": "Node ws relay",
}


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                rows.append(json.loads(line))
    return rows


def find(rows, **keys):
    for r in rows:
        if all(r.get(k) == v for k, v in keys.items()):
            return r
    return None


def num(value, digits=0):
    if value is None:
        return "–"
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def fmt_ratio(value):
    return "–" if value is None else f"{value:.2f}x"


def efficiency(row):
    """Deliveries per second of server CPU time."""
    if not row or not row.get("server_cpu"):
        return None
    return row["deliveries_per_s"] / row["server_cpu"]


def size_name(size):
    return "8 KB" if size == 8192 else f"{size} B"


def traffic_table(out, rows, workload, keyname):
    out.append(
        "| signal | " + keyname + " | ours | bare | node | ours/bare | "
        "ours/node | CPU ours/bare/node | generator CPU | ours/bare per CPU | "
        "ours/node per CPU |")
    out.append("|" + "---|" * 11)
    checks = []
    for r in rows:
        if r["workload"] != workload or r["target"] != "ours":
            continue
        key = dict(workload=workload, size=r["size"], members=r["members"],
                   sessions=r["sessions"])
        res = {t: find(rows, target=t, **key) for t in TARGETS}
        dps = {t: res[t]["deliveries_per_s"] if res[t] else None
               for t in TARGETS}
        cpu = {t: res[t].get("server_cpu") if res[t] else None
               for t in TARGETS}
        gen = {t: res[t].get("bench_cpu") if res[t] else None
               for t in TARGETS}
        eff = {t: efficiency(res[t]) for t in TARGETS}
        label = (f"{r['receivers']:,}" if workload == "fanout"
                 else f"{r['sessions']} x {r['members']}")
        out.append(
            f"| {size_name(r['size'])} | {label} | {num(dps['ours'])} | "
            f"{num(dps['bare'])} | {num(dps['node'])} | "
            f"{fmt_ratio(ratio(dps['ours'], dps['bare']))} | "
            f"{fmt_ratio(ratio(dps['ours'], dps['node']))} | "
            + "/".join(num(cpu[t], 2) for t in TARGETS) + " | "
            + "/".join(num(gen[t], 2) for t in TARGETS) + " | "
            f"{fmt_ratio(ratio(eff['ours'], eff['bare']))} | "
            f"{fmt_ratio(ratio(eff['ours'], eff['node']))} |")
        checks.append((r, ratio(dps["ours"], dps["bare"]),
                       ratio(dps["ours"], dps["node"]),
                       ratio(eff["ours"], eff["bare"]),
                       ratio(eff["ours"], eff["node"])))
    return checks


def gnuplot(script):
    if shutil.which("gnuplot") is None:
        print("gnuplot is missing: no plots (apt-get install gnuplot-nox)",
              file=sys.stderr)
        return
    subprocess.run(["gnuplot"], input=script, text=True, check=False)


def plots(rows, outdir):
    # throughput vs fan-out
    for size in (100, 8192):
        for t in TARGETS:
            with open(os.path.join(outdir, f"fanout-{t}-{size}.dat"),
                      "w") as f:
                for r in rows:
                    if (r["workload"] == "fanout" and r["target"] == t and
                            r["size"] == size):
                        f.write(f"{r['receivers']} {r['deliveries_per_s']} "
                                f"{efficiency(r) or 0}\n")
    lines = []
    for size in (100, 8192):
        for t in TARGETS:
            lines.append(
                f"'{outdir}/fanout-{t}-{size}.dat' using 1:2 with "
                f"linespoints title '{t}, {size_name(size)}'")
    gnuplot(f"""
set terminal pngcairo size 800,500 font ',10'
set output '{outdir}/fanout.png'
set title 'Fan-out: signals delivered per second (one sender, one session)'
set logscale x
set xlabel 'receivers'
set ylabel 'deliveries / s'
set key outside right
set grid
plot {', '.join(lines)}
""")
    # latency vs offered rate
    for size in (100, 8192):
        for t in TARGETS:
            with open(os.path.join(outdir, f"latency-{t}-{size}.dat"),
                      "w") as f:
                for r in rows:
                    if (r["workload"] == "latency" and r["target"] == t and
                            r["size"] == size):
                        f.write(f"{r['offered_rate']} {r['latency_p50_us']} "
                                f"{r['latency_p99_us']}\n")
    lines = []
    for size in (100, 8192):
        for t in TARGETS:
            lines.append(
                f"'{outdir}/latency-{t}-{size}.dat' using 1:3 with "
                f"linespoints title '{t} p99, {size_name(size)}'")
    gnuplot(f"""
set terminal pngcairo size 800,500 font ',10'
set output '{outdir}/latency.png'
set title 'Send-to-receive latency, one sender to one receiver'
set logscale xy
set xlabel 'offered signals / s'
set ylabel 'p99 latency (us)'
set key outside right
set grid
plot {', '.join(lines)}
""")
    for name in os.listdir(outdir):
        if name.endswith(".dat"):
            os.remove(os.path.join(outdir, name))


def main():
    path, outdir, command, elapsed = sys.argv[1:5]
    loadavg = sys.argv[5] if len(sys.argv) > 5 else "?"
    rows = load(path)
    waits = [r["server_wait"] for r in rows if "server_wait" in r]
    out = []
    out.append("# gst-opentok server benchmark")
    out.append("")
    out.append(f"Command: `{command}` ({elapsed} s). Machine: "
               f"{os.cpu_count()} CPUs, {platform.machine()}, Linux "
               f"{platform.release()}. Each server runs alone on CPU 1 (ours "
               "with all its threads: the server thread and 8 WebSocket I/O "
               "threads), the load generator (2 worker threads, 8 for the "
               "idle connections) on CPU 0; every run starts "
               "a fresh server. ours speaks the full client protocol (session "
               "info, CONNECT, SUBSCRIBE, create with token, acks, PINGs); "
               "the relays get the same frames in raw mode (no session info, "
               "no create; their acks are dropped). Deliveries are signals "
               "received by receivers (not the sender's own copy). CPU "
               "figures are cores used (1.00 = one core busy). \"per CPU\" "
               "ratios compare deliveries per second of server CPU time, the "
               "fair figure when the generator, not the server, is the "
               "bottleneck (generator CPU near 1.00).")
    out.append("")
    out.append(f"Load average when the run started: {loadavg}. Other "
               "processes on the machine take CPU from the measured ones: "
               "the servers spent up to "
               f"{max(waits) if waits else 0:.2f} s per second runnable but "
               "waiting for a CPU (run-queue wait, /proc/PID/task/*/"
               "schedstat); absolute rates are then a floor, the per-CPU "
               "ratios stay fair.")
    out.append("")
    out.append("## Fan-out throughput (deliveries/s, one sender, one session)")
    out.append("")
    fan = traffic_table(out, rows, "fanout", "receivers")
    out.append("")
    out.append("## Many small sessions (a sender in each)")
    out.append("")
    ses = traffic_table(out, rows, "sessions", "sessions")
    out.append("")
    out.append("## Latency at a fixed offered rate (one sender, one "
               "receiver: signals sent = signals received), in us")
    out.append("")
    out.append("| signal | offered/s | ours achieved/s | ours p50 / p99 / "
               "p99.9 | bare p50 / p99 / p99.9 | node p50 / p99 / p99.9 |")
    out.append("|---|---|---|---|---|---|")
    for r in rows:
        if r["workload"] != "latency" or r["target"] != "ours":
            continue
        cells = []
        for t in TARGETS:
            x = find(rows, target=t, workload="latency", size=r["size"],
                     offered_rate=r["offered_rate"])
            if x is None:
                cells.append("–")
                continue
            sat = " (saturated)" if x.get("skipped") else ""
            if x.get("closed"):
                sat += f" ({x['closed']} receivers dropped)"
            cells.append(f"{num(x['latency_p50_us'], 0)} / "
                         f"{num(x['latency_p99_us'], 0)} / "
                         f"{num(x['latency_p999_us'], 0)}{sat}")
        out.append(f"| {size_name(r['size'])} | {num(r['offered_rate'])} | "
                   f"{num(r['signals_per_s'])} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("## Idle connections (sessions of 10, PING every 2 s)")
    out.append("")
    out.append("| target | opened | held | joins/s | server RSS before | "
               "RSS after | peak (VmHWM) | bytes per connection | "
               "server CPU while idle |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for t in TARGETS:
        x = find(rows, target=t, workload="idle")
        if x is None:
            continue
        idle_cpu = x.get("server_idle_cpu")
        out.append(f"| {t} | {num(x['connections'])} | {num(x['held'])} | "
                   f"{num(x['joins_per_s'])} | "
                   f"{num(x['server_rss_before_kb'] / 1024, 1)} MB | "
                   f"{num(x['server_rss_kb'] / 1024, 1)} MB | "
                   f"{num(x['server_hwm_kb'] / 1024, 1)} MB | "
                   f"{num(x.get('bytes_per_conn'))} | "
                   f"{'–' if idle_cpu is None else f'{idle_cpu:.2f}'} |")
    out.append("")
    el = find(rows, workload="element")
    if el:
        out.append("## signalbin (in-process server, 1,000 signals/s), in us")
        out.append("")
        out.append("| path | count | p50 | p99 | p99.9 | max |")
        out.append("|---|---|---|---|---|---|")
        for key, label in (
                ("arrival_to_bus", "signal arrival to bus message (element "
                 "minus a reference connection receiving the same frame)"),
                ("reference_receive", "reference: peer send to bench "
                 "receive"),
                ("send_to_server", "send-signal emission to the server "
                 "parsing the frame (one at a time)")):
            out.append(f"| {label} | {num(el[key + '_count'])} | "
                       f"{num(el[key + '_p50_us'], 1)} | "
                       f"{num(el[key + '_p99_us'], 1)} | "
                       f"{num(el[key + '_p999_us'], 1)} | "
                       f"{num(el[key + '_max_us'], 1)} |")
        out.append("")

    out.append("## Targets")
    out.append("")
    worst = {}
    for r, rb, rn, eb, en in fan:
        for k, v in (("bare", rb), ("node", rn), ("bare_cpu", eb),
                     ("node_cpu", en)):
            if v is not None:
                worst[k] = min(worst.get(k, v), v)
    lat = find(rows, target="ours", workload="latency", size=100,
               offered_rate=10000)
    idle = find(rows, target="ours", workload="idle")

    def verdict(ok):
        return "met" if ok else "NOT met"

    if "bare" in worst:
        out.append(f"- fan-out >= 0.7x bare relay: worst {worst['bare']:.2f}x "
                   f"throughput, {worst.get('bare_cpu', 0):.2f}x per CPU: "
                   f"{verdict(worst['bare'] >= 0.7)} (throughput), "
                   f"{verdict(worst.get('bare_cpu', 0) >= 0.7)} (per CPU)")
    if "node" in worst:
        out.append(f"- fan-out >= 3x Node relay: worst {worst['node']:.2f}x "
                   f"throughput, {worst.get('node_cpu', 0):.2f}x per CPU: "
                   f"{verdict(worst['node'] >= 3)} (throughput), "
                   f"{verdict(worst.get('node_cpu', 0) >= 3)} (per CPU)")
    if lat:
        out.append(f"- p99 <= 1 ms at 10k signals/s (100 B): "
                   f"{lat['latency_p99_us']:.0f} us: "
                   f"{verdict(lat['latency_p99_us'] <= 1000)}")
    if idle:
        held_ok = idle["held"] >= 10000
        mem_ok = idle["server_rss_kb"] <= 100 * 1024
        out.append(f"- 10,000 idle connections in <= 100 MB: "
                   f"{idle['held']:,} held, server RSS "
                   f"{idle['server_rss_kb'] / 1024:.1f} MB: "
                   f"{verdict(held_ok and mem_ok)}")
    out.append("")
    out.append("![throughput vs fan-out](fanout.png)")
    out.append("![latency vs rate](latency.png)")
    out.append("")
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write("\n".join(out))
    plots(rows, outdir)


if __name__ == "__main__":
    main()
