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


# Commands the cluster's scripts run inside Redis (gstopentokrediscluster.c)
# and the nodes never send themselves; HSET is both (a join's script writes
# three, an acknowledgement is one sent alone).
SCRIPT_COMMANDS = {"exists", "hexists", "hget", "hgetall", "hdel", "del",
                   "hincrby", "set", "xadd", "publish"}
JOIN_SCRIPT_HSETS = 3


def per(value, count):
    return value / count if count else None


def redis_figures(section):
    """Commands, acks and bytes of one redis_join / redis_traffic."""
    calls = section["calls"]
    return {
        "calls": calls,
        "commands": sum(calls.values()),
        "in_scripts": sum(n for c, n in calls.items()
                          if c in SCRIPT_COMMANDS),
        "appends": calls.get("evalsha", 0),
        "hset": calls.get("hset", 0),
        "in": section["in"],
        "out": section["out"],
        "cpu": section["cpu"],
    }


def fit_line(points):
    """Least squares y = a + b x: (a, b, largest relative distance)."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if n < 2 or not sxx:
        return None
    b = sum((x - mx) * (y - my) for x, y in points) / sxx
    a = my - b * mx
    off = max(abs(y - (a + b * x)) / y for x, y in points)
    return a, b, off


def spread(runs, key, digits=0):
    """The median of runs' values, with their range when there are several."""
    values = sorted(r[key] for r in runs if r.get(key) is not None)
    if not values:
        return "–"
    median = values[len(values) // 2]
    if len(values) == 1:
        return num(median, digits)
    return (f"{num(median, digits)} ({num(values[0], digits)}–"
            f"{num(values[-1], digits)})")


def breakdown(calls, count):
    return ", ".join(f"{c} {n / count:.2f}" for c, n in
                     sorted(calls.items(), key=lambda item: -item[1]))


def cluster_sections(out, rows):
    """run.sh --cluster: nodes sharing their sessions through one Redis."""
    out.append("## Cluster: nodes sharing sessions through Redis")
    out.append("")
    out.append("Every node (`gst-opentok-server --redis-url`, 8 I/O threads "
               "each) and redis-server run on CPU 1, the load generator (2 "
               "worker threads) and redis-benchmark on CPU 0: on 2 cores the "
               "nodes share one, so these runs show costs, not scaling. "
               "Every run starts fresh nodes on the same Redis; the members "
               "of a session join through the nodes in turn, its sender (the "
               "first member) through the first. Redis figures are the "
               "differences of its INFO (commandstats, total_net_input_bytes "
               "and total_net_output_bytes, used_cpu_user + used_cpu_sys) "
               "around the joins and around the measured traffic, less the "
               "INFO requests themselves; commands count those its scripts "
               "run. An ack is the HSET a node writes when the oldest "
               "message a member's client has not acknowledged changes: one "
               "per message acknowledged, the sender's copy of its own "
               "broadcast included.")
    out.append("")

    ops = sorted((r for r in rows if r["tag"] == "cluster-ops" and
                  "redis_traffic" in r), key=lambda r: r["members"])
    ack_in = ack_out = None
    acks_per_signal = {}
    redis_cpu_per_signal = {}
    if ops:
        out.append("### Redis per signal, per ack and per join (members "
                   "spread over 2 nodes, 500 signals/s)")
        out.append("")
        out.append("| members | sessions | signals | commands per signal, "
                   "acks aside (in its script) | acks per signal | bytes in "
                   "/ out per signal, acks included | Redis CPU per signal, "
                   "acks included |")
        out.append("|---|---|---|---|---|---|---|")
        points_in, points_out = [], []
        for r in ops:
            t = redis_figures(r["redis_traffic"])
            n = t["appends"]
            acks_per_signal[r["members"]] = per(t["hset"], n)
            redis_cpu_per_signal[r["members"]] = per(t["cpu"], n)
            if n:
                points_in.append((t["hset"] / n, t["in"] / n))
                points_out.append((t["hset"] / n, t["out"] / n))
            out.append(
                f"| {r['members']} | {r['sessions']} | {num(n)} | "
                f"{num(per(t['commands'] - t['hset'], n), 2)} "
                f"({num(per(t['in_scripts'], n), 2)}) | "
                f"{num(per(t['hset'], n), 2)} "
                f"({num(per(t['hset'], n * r['members']), 2)} per member) | "
                f"{num(per(t['in'], n))} / {num(per(t['out'], n))} | "
                f"{num(per(t['cpu'] * 1e6, n), 1)} us |")
        out.append("")
        largest = ops[-1]
        t = redis_figures(largest["redis_traffic"])
        out.append(f"Per signal in sessions of {largest['members']}: "
                   f"{breakdown(t['calls'], t['appends'])}.")
        out.append("")
        fit_in, fit_out = fit_line(points_in), fit_line(points_out)
        if fit_in and fit_out:
            ack_in, ack_out = fit_in[1], fit_out[1]
            out.append(
                "Bytes per signal against acks per signal, one line fitted "
                "over the session sizes: the signal's own part (its append "
                "script, and the event published to each node) is "
                f"**{fit_in[0]:,.0f} B in / {fit_out[0]:,.0f} B out**, each "
                f"ack **{ack_in:,.0f} B in / {ack_out:,.0f} B out**; no "
                "measured point is more than "
                f"{max(fit_in[2], fit_out[2]) * 100:.1f} % off the line. "
                "Neither part grows with the members: what grows is the "
                "number of acks, one per member and message.")
            out.append("")
        out.append("| members | joins | commands per join, acks aside | "
                   "acks per join | bytes in / out per join | the same "
                   "without its acks | Redis CPU per join |")
        out.append("|---|---|---|---|---|---|---|")
        for r in ops:
            if "redis_join" not in r:
                continue
            j = redis_figures(r["redis_join"])
            n = r["joins"]
            acks = j["hset"] - JOIN_SCRIPT_HSETS * n
            plain = "–"
            if ack_in is not None:
                plain = (f"{num(per(j['in'] - acks * ack_in, n))} / "
                         f"{num(per(j['out'] - acks * ack_out, n))}")
            out.append(
                f"| {r['members']} | {n} | "
                f"{num(per(j['commands'] - acks, n), 2)} | "
                f"{num(per(acks, n), 2)} | "
                f"{num(per(j['in'], n))} / {num(per(j['out'], n))} | "
                f"{plain} | {num(per(j['cpu'] * 1e6, n), 1)} us |")
        out.append("")
        j = redis_figures(largest["redis_join"])
        out.append(f"Per join in sessions of {largest['members']}: "
                   f"{breakdown(j['calls'], largest['joins'])}. A join's "
                   "append script writes three HSETs (the member, its node, "
                   "its acknowledged offset); the other HSETs are acks of "
                   "the connectionCreated announcing it, sent to every "
                   "member already there and to itself: (N + 1) / 2 per "
                   "join on average in a session of N. HMGET (a node reads a "
                   "session it does not know), SUBSCRIBE and the snapshot "
                   "(EVALSHA, HGET, HGETALL) come once per node and session, "
                   "spread here over its members.")
        out.append("")

    lat = [r for r in rows if r["tag"] == "cluster-latency"]
    if lat:
        places = {}
        for r in lat:
            if r["target"] != "cluster":
                where = "one node, no Redis"
            elif r.get("sender_apart"):
                where = "sender on node A, receivers on node B"
            else:
                where = "sender and receivers on node A (of 2)"
            places.setdefault(where, []).append(r)
        rounds = max(len(runs) for runs in places.values())
        out.append("### Latency, one node or across two (10 receivers, "
                   "500 signals/s, 100 B), in us")
        out.append("")
        out.append(f"Each placement run {rounds} time(s), the placements "
                   "one after the other in each round: the median, then "
                   "the lowest and highest.")
        out.append("")
        out.append("| where | achieved/s | p50 | p99 | p99.9 | server CPU "
                   "(all nodes) | servers' wait for a CPU (s/s) |")
        out.append("|---|---|---|---|---|---|---|")
        for where, runs in places.items():
            out.append(f"| {where} | "
                       f"{spread(runs, 'signals_per_s')} | "
                       f"{spread(runs, 'latency_p50_us')} | "
                       f"{spread(runs, 'latency_p99_us')} | "
                       f"{spread(runs, 'latency_p999_us')} | "
                       f"{spread(runs, 'server_cpu', 2)} | "
                       f"{spread(runs, 'server_wait', 2)} |")
        out.append("")

    cpu = [r for r in rows if r["tag"] == "cluster-cpu"]
    if cpu:
        r0 = cpu[0]
        out.append(f"### Server CPU per delivery, 1 to 3 nodes "
                   f"({num(r0.get('offered_rate'))} signals/s to "
                   f"{r0['receivers']} receivers, members spread evenly)")
        out.append("")
        out.append("| nodes | deliveries/s | server CPU, all nodes (cores) "
                   "| server CPU per delivery | Redis CPU (cores) | Redis CPU "
                   "per signal | latency p50 / p99 | servers' wait for a CPU "
                   "(s/s) |")
        out.append("|---|---|---|---|---|---|---|---|")
        for r in cpu:
            nodes = (f"{r['nodes']}" if r["target"] == "cluster"
                     else "1, no Redis")
            rcpu = rsig = None
            if "redis_traffic" in r:
                t = redis_figures(r["redis_traffic"])
                rcpu = per(t["cpu"], r["elapsed_s"])
                rsig = per(t["cpu"] * 1e6, t["appends"])
            out.append(
                f"| {nodes} | {num(r['deliveries_per_s'])} | "
                f"{num(r.get('server_cpu'), 2)} | "
                f"{num(per(r.get('server_cpu', 0) * 1e6, r['deliveries_per_s']), 2)} us | "
                f"{num(rcpu, 2)} | "
                f"{'–' if rsig is None else f'{rsig:.1f} us'} | "
                f"{num(r['latency_p50_us'])} / "
                f"{num(r['latency_p99_us'])} us | "
                f"{num(r.get('server_wait'), 2)} |")
        out.append("")

    cap = [r for r in rows if r["tag"] == "cluster-capacity"]
    bench = {(r["command"], r["pipeline"]): r for r in cap
             if r["workload"] == "redis-benchmark"}
    nodes = {r["members"]: r for r in cap
             if r["workload"] == "fanout" and r["target"] == "cluster"}
    alone = {r["members"]: r for r in cap
             if r["workload"] == "fanout" and r["target"] != "cluster"}
    if bench or nodes:
        out.append("### Throughput model")
        out.append("")
        out.append("Cluster capacity ≈ min(nodes × one node's capacity, "
                   "what Redis can commit), each node on a core of its own. "
                   "One node's capacity is its fan-out in deliveries per "
                   "second of its CPU (one node on Redis, one sender, as "
                   "many signals in flight as the generator allows); what "
                   "Redis can commit is one second divided by its time per "
                   "signal, 1 / (1 / appends per s + acks per signal / acks "
                   "per s), with redis-benchmark's rates of the nodes' own "
                   "append script (the real one, a real signal event, two "
                   "subscribers on the channel) and of an ack's HSET, per "
                   "second of redis-server's CPU (what one core of its own "
                   "would do, whatever else ran on the machine), and "
                   "the acks per signal measured above. The last column "
                   "takes Redis' CPU per signal in the runs above instead "
                   "(a core divided by it), at their low rate the "
                   "cautious figure.")
        out.append("")
        out.append("| redis-benchmark | clients | pipelined | ops/s | "
                   "redis-server CPU (cores) | its wait for a CPU (s/s) | "
                   "ops per second of its CPU |")
        out.append("|---|---|---|---|---|---|---|")
        for (command, pipeline), r in sorted(bench.items()):
            what = ("append script (EVALSHA), one signal" if command ==
                    "append" else "HSET, one ack")
            out.append(f"| {what} | {r['clients']} | {pipeline} | "
                       f"{num(r['ops_per_s'])} | "
                       f"{num(per(r.get('redis_cpu_s'), r.get('seconds')), 2)} | "
                       f"{num(per(r.get('redis_wait_s'), r.get('seconds')), 2)} | "
                       f"{num(per(r['ops'], r.get('redis_cpu_s')))} |")
        out.append("")
        pipelined = max((p for _, p in bench), default=None)

        def per_cpu(command):
            r = bench.get((command, pipelined), {})
            return per(r.get("ops"), r.get("redis_cpu_s"))

        append_rate, ack_rate = per_cpu("append"), per_cpu("ack")
        out.append(f"With the pipelined rates ({pipelined} commands a "
                   "batch, as a node writes them under load) per second of "
                   "Redis' CPU, in deliveries/s:")
        out.append("")
        out.append("| members | one node: deliveries/s per core (its CPU; "
                   "without Redis) | acks per signal | Redis: signals/s | "
                   "Redis: deliveries/s | cluster of 1 / 2 / 3 / 4 nodes | "
                   "nodes Redis can feed | Redis from its CPU in the runs: "
                   "deliveries/s |")
        out.append("|---|---|---|---|---|---|---|---|")
        for members in sorted(set(nodes) | set(acks_per_signal)):
            node = nodes.get(members)
            capacity = efficiency(node) if node else None
            acks = acks_per_signal.get(members)
            redis_signals = None
            if append_rate and ack_rate and acks is not None:
                redis_signals = 1 / (1 / append_rate + acks / ack_rate)
            redis_deliveries = (redis_signals * (members - 1)
                                if redis_signals else None)
            cluster = "–"
            feeds = None
            if capacity and redis_deliveries:
                cluster = " / ".join(num(min(k * capacity, redis_deliveries))
                                     for k in (1, 2, 3, 4))
                feeds = redis_deliveries / capacity
            from_cpu = redis_cpu_per_signal.get(members)
            out.append(
                f"| {members} | {num(capacity)} "
                f"({num(efficiency(alone.get(members)))}) | {num(acks, 2)} | "
                f"{num(redis_signals)} | {num(redis_deliveries)} | "
                f"{cluster} | {num(feeds, 1)} | "
                f"{num((members - 1) / from_cpu if from_cpu else None)} |")
        out.append("")
        if append_rate:
            out.append("Without the acks' HSETs Redis would commit "
                       f"{num(append_rate)} signals/s whatever the "
                       "session's size; with them its bound falls as the "
                       "members grow, one HSET per member and message.")
            out.append("")


def relay_sections(out, rows):
    """The embedded server against the relays (run.sh without --cluster)."""
    out.append("Each server runs alone on CPU 1 (ours with all its threads: "
               "the server thread and 8 WebSocket I/O threads), the load "
               "generator (2 worker threads, 8 for the idle connections) on "
               "CPU 0; every run starts a fresh server. ours speaks the full "
               "client protocol (session info, CONNECT, SUBSCRIBE, create "
               "with token, acks, PINGs); the relays get the same frames in "
               "raw mode (no session info, no create; their acks are "
               "dropped). Deliveries are signals received by receivers (not "
               "the sender's own copy). CPU figures are cores used (1.00 = "
               "one core busy). \"per CPU\" ratios compare deliveries per "
               "second of server CPU time, the fair figure when the "
               "generator, not the server, is the bottleneck (generator CPU "
               "near 1.00).")
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


def main():
    path, outdir, command, elapsed = sys.argv[1:5]
    loadavg = sys.argv[5] if len(sys.argv) > 5 else "?"
    rows = load(path)
    waits = [r["server_wait"] for r in rows if "server_wait" in r]
    # run.sh --cluster tags its runs: they have sections of their own
    cluster = [r for r in rows if r.get("tag", "").startswith("cluster-")]
    rows = [r for r in rows if "tag" not in r]
    out = []
    out.append("# gst-opentok server benchmark")
    out.append("")
    out.append(f"Command: `{command}` ({elapsed} s). Machine: "
               f"{os.cpu_count()} CPUs, {platform.machine()}, Linux "
               f"{platform.release()}.")
    out.append("")
    out.append(f"Load average when the run started: {loadavg}. Other "
               "processes on the machine take CPU from the measured ones: "
               "the servers spent up to "
               f"{max(waits) if waits else 0:.2f} s per second runnable but "
               "waiting for a CPU (run-queue wait, /proc/PID/task/*/"
               "schedstat); absolute rates are then a floor, the per-CPU "
               "ratios stay fair.")
    out.append("")
    if rows:
        relay_sections(out, rows)
    if cluster:
        cluster_sections(out, cluster)
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write("\n".join(out))
    if rows:
        plots(rows, outdir)


if __name__ == "__main__":
    main()
