#!/usr/bin/python3
"""Plot a DRAM run's memory over time (from utilization.csv): the DRAM
bandwidth each window achieved, under the DRAM's peak (summary.json), and
the bytes each global-buffer partition held, the mean over each window,
under the partition's capacity while each layer ran (layers.csv). Grey
lines mark the layers' starts.

Usage: /usr/bin/python3 scripts/plot_memory.py OUT_DIR [--output FILE.png] [--svg] [--print-data]

The run must have used the DRAM memory model (--memory dram, --dram PART):
with ideal memory nothing moves to or from DRAM.
--print-data prints what was drawn, read back from the figure, as CSV
(panel,series,x,y): every point of every line, x in cycles (a window's
first cycle; a capacity segment's first and last cycle).
Needs Debian's python3-matplotlib, which is why it runs under /usr/bin/python3.
"""
import argparse
import json
import math
import os

from plot_common import (plt, fail, integer_column, number_column, print_drawn_lines, read_rows,
                         save_figure)

PARTITIONS = ["ifmap", "filter", "ofmap"]


def read_summary(path):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        fail(f"{path}: {e.strerror}")
    except ValueError as e:
        fail(f"{path}: not JSON ({e})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", help="the --out directory of a systole run with --memory dram")
    parser.add_argument("--output", help="PNG to write (default OUT_DIR/memory.png)")
    parser.add_argument("--svg", action="store_true", help="also write the figure as SVG beside the PNG")
    parser.add_argument("--print-data", action="store_true", help="print the drawn lines as CSV")
    args = parser.parse_args()

    summary_path = os.path.join(args.out_dir, "summary.json")
    memory = read_summary(summary_path).get("memory", {})
    if memory.get("model") != "dram":
        fail(f"{summary_path}: the run used ideal memory, which moves nothing to or from DRAM; "
             "run with --memory dram (or --dram PART)")
    windows_path = os.path.join(args.out_dir, "utilization.csv")
    windows = read_rows(windows_path)
    if not windows:
        fail(f"{windows_path} has no rows")
    layers_path = os.path.join(args.out_dir, "layers.csv")
    layers = read_rows(layers_path)

    cycles = integer_column(windows, "cycle", windows_path)
    fig, (bandwidth, buffer) = plt.subplots(2, 1, figsize=(11, 8), sharex=True)
    bandwidth.step(cycles, number_column(windows, "dram_gb_per_s", windows_path), where="post",
                   linewidth=0.8, label="achieved")
    peak = memory["dram_peak_bandwidth"]["value"]
    bandwidth.axhline(peak, color="black", linestyle="--", linewidth=0.8, label=f"peak ({peak:.1f} GB/s)")
    bandwidth.set_ylabel("DRAM bandwidth (GB/s)")
    bandwidth.set_ylim(0, peak * 1.1)
    bandwidth.legend(fontsize=8, loc="upper right")
    bandwidth.set_title(f"DRAM bandwidth per window of {windows[0]['cycles']} cycles "
                        f"(run: {memory['dram_bandwidth']['value']:.2f} GB/s)")

    layer_starts = integer_column(layers, "first_cycle", layers_path)
    layer_ends = [start + length for start, length in zip(layer_starts, integer_column(layers, "cycles", layers_path))]
    colours = plt.get_cmap("tab10")
    for i, partition in enumerate(PARTITIONS):
        buffer.step(cycles, number_column(windows, f"{partition}_buffer_bytes", windows_path), where="post",
                    linewidth=0.8, color=colours(i), label=partition)
        # One segment per layer that used the buffer (vector-unit layers do not).
        capacity_x, capacity_y = [], []
        capacities = integer_column(layers, f"buffer_{partition}_capacity_bytes", layers_path)
        for start, end, capacity in zip(layer_starts, layer_ends, capacities):
            if capacity > 0:
                capacity_x += [start, end, math.nan]
                capacity_y += [capacity, capacity, math.nan]
        buffer.plot(capacity_x, capacity_y, linewidth=0.8, linestyle="--", color=colours(i),
                    label=f"{partition} capacity")
    for start in layer_starts:
        for axes in (bandwidth, buffer):
            axes.axvline(start, color="grey", linewidth=0.3)
    buffer.set_xlabel("cycle")
    buffer.set_ylabel("bytes held")
    buffer.legend(fontsize=8, ncol=3, loc="upper right")
    buffer.set_title("global buffer: bytes held per partition, mean over each window (dashed: capacity)")
    fig.tight_layout()
    output = args.output or os.path.join(args.out_dir, "memory.png")
    written = save_figure(fig, output, args.svg)
    if args.print_data:
        print_drawn_lines({"bandwidth": bandwidth, "buffer": buffer})
    else:
        print("\n".join(written))


if __name__ == "__main__":
    main()
