#!/usr/bin/env python3
"""Row stationary against weight, output and input stationary at equal
storage area, as Eyeriss's ISCA 2016 paper compared them
(../shared/reference/energy.md §2).

Every dataflow gets the same PEs, networks, DRAM and energy table
(eyeriss-normalized: ALU 1, RF 1, NoC 2, buffer 6, DRAM 200 per 16-bit
access). Row stationary keeps the eyeriss preset's scratchpads and a
128 KiB global buffer; the others, whose PEs hold a few registers, get the
storage area row stationary spends in its PEs as extra global buffer. The
area of each PE's storage and of the buffer comes from Systole's own area
model (summary.json area.components.*), so this script decides nothing about
area itself.

It runs AlexNet's CONV layers and FC layers (workloads/alexnet.yaml) at each
batch and writes, under --out:
  equal_area.csv    one row per dataflow, layer set and batch: buffer size,
                    energy per MAC by level, DRAM accesses per MAC
  equal_area.md     the same as a Markdown table
  equal_area.png    energy per MAC by level, stacked (needs matplotlib:
                    run under /usr/bin/python3 on Debian)

  scripts/compare_dataflows.py --systole build/systole --out cmp --batches 1,16
"""
import argparse
import concurrent.futures
import csv
import json
import os
import subprocess
import sys

DATAFLOWS = ["rs", "ws", "os", "is"]
LEVELS = ["alu", "rf", "noc", "buffer", "dram"]
BANK_KB = 4
RS_BUFFER_KB = 128


def common_options(rows, cols):
    return ["--arch", "eyeriss", "--array", f"{rows}x{cols}", "--energy", "eyeriss-normalized",
            "--energy.psum_bits", "16", "--memory", "dram", "--dram.compression", "none"]


def buffer_options(kb):
    return ["--buffer.size_kb", str(kb), "--buffer.banks", str(kb // BANK_KB)]


def run(systole, args, out):
    os.makedirs(out, exist_ok=True)
    done = subprocess.run([systole, "run", *args, "--out", out, "--sample", "1000000"], capture_output=True,
                          text=True)
    if done.returncode != 0:
        sys.exit(f"compare_dataflows.py: systole {' '.join(args)} failed: {done.stderr.strip().splitlines()[-1:]}")
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)


def value(summary, *path):
    node = summary
    for key in path:
        if key not in node:
            return 0.0
        node = node[key]
    return float(node["value"])


def layer_sets(alexnet, out):
    """Writes AlexNet's CONV and FC layers as two workloads; returns their paths."""
    with open(alexnet) as f:
        lines = f.read().splitlines()
    layers = [l for l in lines if l.strip().startswith("- {")]
    paths = {}
    for name, kinds in (("conv", ("type: conv",)), ("fc", ("type: fc",))):
        chosen = [l for l in layers if any(k in l for k in kinds)]
        path = os.path.join(out, f"alexnet_{name}.yaml")
        with open(path, "w") as f:
            f.write(f"# AlexNet's {name.upper()} layers, from {alexnet}\nname: alexnet_{name}\nlayers:\n")
            f.write("\n".join(chosen) + "\n")
        paths[name] = path
    return paths


def storage_mm2(summary):
    return sum(value(summary, "area", "components", c) for c in ("pe_registers", "pe_scratchpads", "global_buffer"))


def equal_area_buffers(systole, rows, cols, probe, out):
    """The buffer each dataflow gets so that its storage area equals row stationary's."""
    probes = {df: run(systole, common_options(rows, cols) + buffer_options(RS_BUFFER_KB) +
                      ["--dataflow", df, "--workload", probe] + ([] if df == "rs" else ["--compute", "off"]),
                      os.path.join(out, "probe", df))
              for df in DATAFLOWS}
    target = storage_mm2(probes["rs"])
    buffers = {"rs": RS_BUFFER_KB}
    for df in DATAFLOWS[1:]:
        buffer_mm2 = value(probes[df], "area", "components", "global_buffer")
        per_kb = buffer_mm2 / RS_BUFFER_KB
        pe_storage = storage_mm2(probes[df]) - buffer_mm2
        buffers[df] = int((target - pe_storage) / per_kb) // BANK_KB * BANK_KB
    return buffers, target


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--systole", default="build/systole")
    parser.add_argument("--out", required=True)
    parser.add_argument("--array", default="16x16", help="rows x columns (ISCA 2016: 256 PEs)")
    parser.add_argument("--batches", default="1,16")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--alexnet", default=os.path.join(os.path.dirname(__file__), "..", "workloads", "alexnet.yaml"))
    args = parser.parse_args()
    rows, cols = (int(x) for x in args.array.lower().split("x"))
    batches = [int(b) for b in args.batches.split(",")]
    os.makedirs(args.out, exist_ok=True)
    workloads = layer_sets(args.alexnet, args.out)
    probe = os.path.join(args.out, "probe.yaml")  # any layer: area does not depend on the workload
    with open(probe, "w") as f:
        f.write("name: probe\nlayers:\n  - {name: probe, type: fc, inputs: 16, outputs: 16}\n")
    buffers, area = equal_area_buffers(args.systole, rows, cols, probe, args.out)
    print(f"storage area {area:.4g} mm²; global buffers: " + ", ".join(f"{df} {kb} KiB" for df, kb in buffers.items()),
          flush=True)

    jobs = [(df, name, batch) for batch in batches for name in workloads for df in DATAFLOWS]
    rows_out = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {}
        for df, name, batch in jobs:
            # Every dataflow computes, so that zeros (the padding's) gate MACs alike.
            options = common_options(rows, cols) + buffer_options(buffers[df]) + [
                "--dataflow", df, "--workload", workloads[name], "--batch", str(batch)]
            futures[pool.submit(run, args.systole, options, os.path.join(args.out, f"{name}_b{batch}_{df}"))] = (
                df, name, batch)
        for future in concurrent.futures.as_completed(futures):
            df, name, batch = futures[future]
            summary = future.result()
            macs = value(summary, "totals", "macs")
            row = {"layers": name, "batch": batch, "dataflow": df, "buffer_kib": buffers[df], "macs": int(macs),
                   "cycles": int(value(summary, "totals", "cycles"))}
            for level in LEVELS:
                row[f"{level}_per_mac"] = value(summary, "energy", "levels", level) / macs
            row["total_per_mac"] = sum(row[f"{level}_per_mac"] for level in LEVELS)
            row["dram_accesses_per_mac"] = value(summary, "memory", "dram_accesses_per_mac")
            rows_out.append(row)
            print(f"{name} batch {batch} {df}: {row['total_per_mac']:.3f} per MAC", flush=True)

    rows_out.sort(key=lambda r: (r["layers"], r["batch"], DATAFLOWS.index(r["dataflow"])))
    with open(os.path.join(args.out, "equal_area.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows_out[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows_out)
    with open(os.path.join(args.out, "equal_area.md"), "w") as f:
        f.write("| layers | batch | dataflow | buffer KiB | ALU | RF | NoC | buffer | DRAM | total per MAC | "
                "DRAM accesses per MAC | total ÷ RS |\n|" + "---|" * 12 + "\n")
        for r in rows_out:
            rs = next(x for x in rows_out if x["layers"] == r["layers"] and x["batch"] == r["batch"]
                      and x["dataflow"] == "rs")
            f.write(f"| {r['layers'].upper()} | {r['batch']} | {r['dataflow'].upper()} | {r['buffer_kib']} | " +
                    " | ".join(f"{r[f'{level}_per_mac']:.3f}" for level in LEVELS) +
                    f" | {r['total_per_mac']:.3f} | {r['dram_accesses_per_mac']:.4f} | "
                    f"{r['total_per_mac'] / rs['total_per_mac']:.2f} |\n")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("compare_dataflows.py: matplotlib is missing: no plot (run under /usr/bin/python3)", file=sys.stderr)
        return
    groups = sorted({(r["layers"], r["batch"]) for r in rows_out})
    fig, axes = plt.subplots(1, len(groups), figsize=(3.2 * len(groups), 4), sharey=False, squeeze=False)
    for ax, (name, batch) in zip(axes[0], groups):
        subset = [r for r in rows_out if r["layers"] == name and r["batch"] == batch]
        bottom = [0.0] * len(subset)
        for level in LEVELS:
            heights = [r[f"{level}_per_mac"] for r in subset]
            ax.bar([r["dataflow"].upper() for r in subset], heights, bottom=bottom, label=level)
            bottom = [b + h for b, h in zip(bottom, heights)]
        ax.set_title(f"AlexNet {name.upper()}, batch {batch}")
        ax.set_ylabel("energy per MAC (MAC-equivalents)")
    axes[0][0].legend(fontsize="small")
    fig.suptitle(f"Equal storage area, {rows}x{cols} PEs, eyeriss-normalized")
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "equal_area.png"), dpi=120)


if __name__ == "__main__":
    main()
