#!/usr/bin/python3
"""Plot a run's utilization.csv (and per-layer bars from layers.csv).

Usage: /usr/bin/python3 scripts/plot_utilization.py OUT_DIR [--output FILE.png]

Needs Debian's python3-matplotlib, which is why it runs under /usr/bin/python3
(a pyenv python3 on PATH may not see Debian's packages).
"""
import argparse
import os
import sys

from plot_common import plt, read_rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", help="the --out directory of a systole run")
    parser.add_argument("--output", help="PNG to write (default OUT_DIR/utilization.png)")
    args = parser.parse_args()

    windows = read_rows(os.path.join(args.out_dir, "utilization.csv"))
    layers = read_rows(os.path.join(args.out_dir, "layers.csv"))
    if not windows:
        sys.exit("plot_utilization.py: utilization.csv has no rows")

    fig, (timeline, bars) = plt.subplots(2, 1, figsize=(11, 7))
    cycles = [int(w["cycle"]) for w in windows]
    utilization = [100 * float(w["utilization"]) for w in windows]
    timeline.step(cycles, utilization, where="post", linewidth=0.8)
    for layer in layers:
        timeline.axvline(int(layer["first_cycle"]), color="grey", linewidth=0.4)
    timeline.set_xlabel("cycle")
    timeline.set_ylabel("utilization (% of PEs)")
    timeline.set_ylim(0, 105)
    window = windows[0]["cycles"]
    timeline.set_title(f"PE utilization per window of {window} cycles (grey lines: layer starts)")

    names = [layer["layer"] for layer in layers]
    bars.bar(range(len(layers)), [100 * float(layer["utilization"]) for layer in layers],
             label="utilization")
    bars.plot(range(len(layers)), [100 * float(layer["mapping_efficiency"]) for layer in layers],
              "o", color="black", label="mapping efficiency")
    bars.set_xticks(range(len(layers)))
    bars.set_xticklabels(names, rotation=60, ha="right", fontsize=7)
    bars.set_ylabel("%")
    bars.set_ylim(0, 105)
    bars.legend(loc="center right")
    bars.set_title("per layer")
    fig.tight_layout()
    output = args.output or os.path.join(args.out_dir, "utilization.png")
    fig.savefig(output, dpi=120)
    print(output)


if __name__ == "__main__":
    main()
