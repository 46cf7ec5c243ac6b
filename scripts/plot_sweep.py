#!/usr/bin/python3
"""Plot a sweep's report (systole sweep report writes REPORT_DIR):

  pareto.png         each workload's runs on the first two Pareto figures, the
                     third as colour; the front's runs ringed
  scalability.png    throughput (inferences/s) and efficiency (inferences/J)
                     against the PE count and against the buffer size, each
                     workload's best run at each size joined by a line
  roofline-NAME.png  per workload, the fastest run's layers: operational
                     intensity (MACs per DRAM byte) against attained MACs/s,
                     under the array's peak (PEs x clock) and the DRAM's peak
                     bandwidth

Usage: /usr/bin/python3 scripts/plot_sweep.py REPORT_DIR

Needs Debian's python3-matplotlib, which is why it runs under /usr/bin/python3.
"""
import argparse
import os
import re
import sys

from plot_common import plt, read_rows


def number(row, key):
    try:
        return float(row.get(key, ""))
    except ValueError:
        return None


def workload_name(path):
    return os.path.splitext(os.path.basename(path))[0]


def buffer_kb(row):
    if row.get("memory.model") != "dram":
        return None
    if row.get("buffer.organization") == "shared":
        return number(row, "buffer.size_kb")
    parts = [number(row, f"buffer.{p}_kb") for p in ("ifmap", "filter", "ofmap")]
    return sum(parts) if None not in parts else None


def plot_pareto(runs, front, axes, out):
    hashes = {r["hash"] for r in front}
    workloads = sorted({r["workload"] for r in runs})
    fig, plots = plt.subplots(1, len(workloads), figsize=(6 * len(workloads), 4.5), squeeze=False)
    for plot, workload in zip(plots[0], workloads):
        rows = [r for r in runs if r["workload"] == workload and None not in [number(r, a) for a in axes]]
        xs = [number(r, axes[0]) for r in rows]
        ys = [number(r, axes[1]) for r in rows]
        colour = [number(r, axes[2]) for r in rows] if len(axes) > 2 else None
        points = plot.scatter(xs, ys, c=colour, s=18, cmap="viridis")
        if colour:
            fig.colorbar(points, ax=plot, label=axes[2])
        on_front = [r for r in rows if r["hash"] in hashes]
        plot.scatter([number(r, axes[0]) for r in on_front], [number(r, axes[1]) for r in on_front],
                     s=70, facecolors="none", edgecolors="red", label="Pareto front")
        plot.set_xscale("log")
        plot.set_yscale("log")
        plot.set_xlabel(axes[0])
        plot.set_ylabel(axes[1])
        plot.set_title(workload_name(workload))
        plot.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def plot_scalability(runs, out):
    panels = [("totals.pes", "PEs", "totals.throughput", "inferences/s"),
              ("totals.pes", "PEs", "efficiency.inferences_per_joule", "inferences/J"),
              (None, "buffer KB", "totals.throughput", "inferences/s"),
              (None, "buffer KB", "efficiency.inferences_per_joule", "inferences/J")]
    fig, plots = plt.subplots(2, 2, figsize=(11, 8))
    for plot, (x_key, x_label, y_key, y_label) in zip(plots.flat, panels):
        for workload in sorted({r["workload"] for r in runs}):
            best = {}
            for r in runs:
                if r["workload"] != workload:
                    continue
                x = number(r, x_key) if x_key else buffer_kb(r)
                y = number(r, y_key)
                if x is None or y is None:
                    continue
                plot.scatter([x], [y], s=8, alpha=0.3, color="grey")
                best[x] = max(best.get(x, y), y)
            if best:
                xs = sorted(best)
                plot.plot(xs, [best[x] for x in xs], marker="o", label=workload_name(workload))
        plot.set_xscale("log", base=2)
        plot.set_yscale("log")
        plot.set_xlabel(x_label)
        plot.set_ylabel(y_label)
        if plot.get_legend_handles_labels()[0]:
            plot.legend(fontsize="small")
        else:
            plot.text(0.5, 0.5, "no runs vary this" if x_key else "no DRAM runs (buffer unused)",
                      ha="center", transform=plot.transAxes)
    fig.suptitle("Scalability: each workload's best run at each size (grey: every run)")
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def plot_roofline(run, layers, out):
    clock_hz = number(run, "general.clock_mhz") * 1e6
    peak = number(run, "array.rows") * number(run, "array.cols") * clock_hz
    bandwidth = number(run, "memory.dram_peak_bandwidth")
    points = []
    for layer in layers:
        macs, cycles = number(layer, "macs"), number(layer, "cycles")
        moved = (number(layer, "dram_read_bytes") or 0) + (number(layer, "dram_write_bytes") or 0)
        if macs and cycles and moved:
            points.append((macs / moved, macs / (cycles / clock_hz), layer["layer"]))
    fig, plot = plt.subplots(figsize=(7, 5))
    if points and bandwidth:
        xs = [p[0] for p in points]
        lo, hi = min(xs + [peak / (bandwidth * 1e9)]) / 4, max(xs + [peak / (bandwidth * 1e9)]) * 4
        grid = [lo * (hi / lo) ** (i / 200) for i in range(201)]
        plot.plot(grid, [min(peak, bandwidth * 1e9 * x) for x in grid], color="black",
                  label=f"roofs: {peak:.3g} MACs/s peak, {bandwidth:.3g} GB/s DRAM")
        plot.scatter(xs, [p[1] for p in points], s=20, label="layers")
        plot.set_xscale("log")
        plot.set_yscale("log")
    else:
        plot.text(0.5, 0.5, "no DRAM traffic (ideal memory): no roofline", ha="center",
                  transform=plot.transAxes)
    plot.set_xlabel("operational intensity (MACs per DRAM byte)")
    plot.set_ylabel("attained MACs/s")
    plot.set_title(f"{workload_name(run['workload'])}: {run['array.rows']}x{run['array.cols']} "
                   f"{run['array.dataflow']}, {run.get('dram.spec', '')} (fastest run)")
    if plot.get_legend_handles_labels()[0]:
        plot.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report_dir")
    args = parser.parse_args()
    d = args.report_dir
    runs = [r for r in read_rows(os.path.join(d, "runs.csv")) if r["status"] == "completed"]
    front = read_rows(os.path.join(d, "pareto.csv"))
    layers = read_rows(os.path.join(d, "layers.csv"))
    with open(os.path.join(d, "pareto_axes.txt")) as f:
        axes = [line.strip().removeprefix("max:") for line in f if line.strip()]
    if not runs:
        sys.exit("plot_sweep.py: no completed runs to plot")
    plot_pareto(runs, front, axes, os.path.join(d, "pareto.png"))
    plot_scalability(runs, os.path.join(d, "scalability.png"))
    written = ["pareto.png", "scalability.png"]
    for workload in sorted({r["workload"] for r in runs}):
        timed = [r for r in runs if r["workload"] == workload and number(r, "totals.time")]
        if not timed:
            continue
        fastest = min(timed, key=lambda r: number(r, "totals.time"))
        name = "roofline-" + re.sub(r"[^A-Za-z0-9_.-]", "_", workload_name(workload)) + ".png"
        plot_roofline(fastest, [l for l in layers if l["hash"] == fastest["hash"]], os.path.join(d, name))
        written.append(name)
    print("wrote " + ", ".join(os.path.join(d, w) for w in written))


if __name__ == "__main__":
    main()
