#!/usr/bin/python3
"""Plot a run's energy: each layer's energy by component (stacked bars, from
energy.csv) and the power of each part of the chip over time, stacked
(utilization.csv's power_<part>_mw columns).

Usage: /usr/bin/python3 scripts/plot_energy.py OUT_DIR [--output FILE.png]

Needs Debian's python3-matplotlib, which is why it runs under /usr/bin/python3
(a pyenv python3 on PATH may not see Debian's packages).
"""
import argparse
import os
import sys

from plot_common import plt, read_rows


def energy_by_layer(rows):
    """{layer: {component: energy}} in the file's layer order, and the unit."""
    layers, units = {}, set()
    for row in rows:
        per_component = layers.setdefault(row["layer"], {})
        per_component[row["component"]] = per_component.get(row["component"], 0.0) + float(row["energy"])
        units.add(row["unit"])
    if len(units) != 1:
        sys.exit(f"plot_energy.py: energy.csv mixes units {sorted(units)}")
    return layers, units.pop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", help="the --out directory of a systole run with energy on")
    parser.add_argument("--output", help="PNG to write (default OUT_DIR/energy.png)")
    args = parser.parse_args()

    rows = read_rows(os.path.join(args.out_dir, "energy.csv"))
    if not rows:
        sys.exit("plot_energy.py: energy.csv has no rows")
    layers, unit = energy_by_layer(rows)
    components = []
    for per_component in layers.values():
        for component, energy in per_component.items():
            if energy > 0 and component not in components:
                components.append(component)

    windows = read_rows(os.path.join(args.out_dir, "utilization.csv"))
    parts = [c for c in (windows[0] if windows else {}) if c.startswith("power_") and c != "power_mw"]
    parts = [c for c in parts if windows[0][c] != ""]  # a part priced per layer only has no figure
    has_power = bool(parts)
    fig, axes = plt.subplots(2 if has_power else 1, 1, figsize=(11, 8 if has_power else 5), squeeze=False)
    bars = axes[0][0]
    names = list(layers)
    bottom = [0.0] * len(names)
    colours = plt.get_cmap("tab20")
    for i, component in enumerate(components):
        heights = [layers[name].get(component, 0.0) for name in names]
        bars.bar(range(len(names)), heights, bottom=bottom, label=component, color=colours(i % 20))
        bottom = [b + h for b, h in zip(bottom, heights)]
    bars.set_xticks(range(len(names)))
    bars.set_xticklabels(names, rotation=60, ha="right", fontsize=7)
    bars.set_ylabel(f"energy ({unit})")
    bars.set_title("energy per layer by component")
    bars.legend(fontsize=7, ncol=4)

    if has_power:
        timeline = axes[1][0]
        cycles = [int(w["cycle"]) for w in windows]
        timeline.stackplot(cycles, *[[float(w[part]) for w in windows] for part in parts],
                           labels=[part[len("power_"):-len("_mw")] for part in parts], step="post")
        timeline.set_xlabel("cycle")
        timeline.set_ylabel("power (mW)")
        timeline.legend(fontsize=7, ncol=4)
        timeline.set_title(f"power per window of {windows[0]['cycles']} cycles")

    fig.tight_layout()
    output = args.output or os.path.join(args.out_dir, "energy.png")
    fig.savefig(output, dpi=120)
    print(output)


if __name__ == "__main__":
    main()
