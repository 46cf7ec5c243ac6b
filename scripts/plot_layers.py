#!/usr/bin/python3
"""Plot where each layer's cycles went (from layers.csv): its cycles split
into the array computing, the vector unit and stalls (stacked bars), and its
stall cycles by cause: DRAM, NoC, buffer (stacked bars).

Usage: /usr/bin/python3 scripts/plot_layers.py OUT_DIR [--output FILE.png] [--svg] [--print-data]

--print-data prints what was drawn, read back from the figure, as CSV
(panel,series,layer,value): every bar segment's height.
Needs Debian's python3-matplotlib, which is why it runs under /usr/bin/python3
(a pyenv python3 on PATH may not see Debian's packages).
"""
import argparse
import os

from plot_common import plt, fail, integer_column, print_drawn_bars, read_rows, save_figure

STALL_CAUSES = [("stall_dram_cycles", "DRAM"), ("stall_noc_cycles", "NoC"), ("stall_buffer_cycles", "buffer")]


def stacked_bars(axes, names, series):
    """Draws each (label, heights) of `series` stacked on the ones before."""
    bottom = [0] * len(names)
    for label, heights in series:
        axes.bar(range(len(names)), heights, bottom=bottom, label=label)
        bottom = [b + h for b, h in zip(bottom, heights)]
    axes.set_xticks(range(len(names)))
    axes.set_xticklabels(names, rotation=60, ha="right", fontsize=7)
    # Room above the tallest bar for the legend (zero-height segments on
    # top of a bar would pin matplotlib's automatic margin to it).
    axes.set_ylim(0, max(bottom) * 1.15 or 1)
    axes.legend(fontsize=8)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", help="the --out directory of a systole run")
    parser.add_argument("--output", help="PNG to write (default OUT_DIR/layers.png)")
    parser.add_argument("--svg", action="store_true", help="also write the figure as SVG beside the PNG")
    parser.add_argument("--print-data", action="store_true", help="print the drawn bars as CSV")
    args = parser.parse_args()

    path = os.path.join(args.out_dir, "layers.csv")
    layers = read_rows(path)
    if not layers:
        fail(f"{path} has no rows")
    names = [layer["layer"] for layer in layers]
    cycles = integer_column(layers, "cycles", path)
    stall = integer_column(layers, "stall_cycles", path)
    vector = integer_column(layers, "vector_cycles", path)
    # compute_cycles holds the vector unit's cycles too (the array idles then).
    array = [c - v for c, v in zip(integer_column(layers, "compute_cycles", path), vector)]
    causes = [(label, integer_column(layers, column, path)) for column, label in STALL_CAUSES]

    fig, (split, stalls) = plt.subplots(2, 1, figsize=(11, 8))
    stacked_bars(split, names, [("array", array), ("vector unit", vector), ("stalls", stall)])
    split.set_ylabel("cycles")
    split.set_title(f"cycles per layer ({sum(cycles)} in all, {sum(stall)} stalled)")
    stacked_bars(stalls, names, causes)
    stalls.set_ylabel("stall cycles")
    stalls.set_title("stall cycles per layer by cause" +
                     ("" if sum(stall) else " (none: ideal memory, or nothing waited)"))
    fig.tight_layout()
    output = args.output or os.path.join(args.out_dir, "layers.png")
    written = save_figure(fig, output, args.svg)
    if args.print_data:
        print_drawn_bars({"cycles": split, "stalls": stalls}, names)
    else:
        print("\n".join(written))


if __name__ == "__main__":
    main()
