"""What the plot scripts share: Debian's matplotlib (so they run under
/usr/bin/python3), reading Systole's CSV reports, each failure a one-line
message naming the script, and printing what a figure drew (--print-data),
read back from the figure itself so that a test can compare it with the
reports."""
import csv
import os
import sys

SCRIPT = os.path.basename(sys.argv[0])

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(f"{SCRIPT}: needs python3-matplotlib (apt-get install -y python3-matplotlib) and /usr/bin/python3")


def fail(message):
    """Ends the script with `message` on one line, exit status 2 (bad input)."""
    print(f"{SCRIPT}: {message}", file=sys.stderr)
    sys.exit(2)


def read_rows(path):
    try:
        with open(path, newline="") as f:
            return list(csv.DictReader(f))
    except OSError as e:
        fail(f"{path}: {e.strerror}")


def _column(rows, column, path, convert):
    values = []
    for line, row in enumerate(rows, start=2):
        if column not in row:
            fail(f"{path}: no column '{column}' (a report from an older systole?)")
        try:
            values.append(convert(row[column]))
        except (TypeError, ValueError):
            fail(f"{path}:{line}: column '{column}': '{row[column]}' is not a number")
    return values


def integer_column(rows, column, path):
    return _column(rows, column, path, int)


def number_column(rows, column, path):
    return _column(rows, column, path, float)


def save_figure(fig, output, svg=False):
    """Writes `fig` to `output` (PNG), and beside it as SVG when asked."""
    outputs = [output] + ([os.path.splitext(output)[0] + ".svg"] if svg else [])
    for path in outputs:
        try:
            fig.savefig(path, dpi=120)
        except OSError as e:
            fail(f"{path}: {e.strerror}")
    return outputs


def _value(number):
    number = float(number)
    return str(int(number)) if number.is_integer() else repr(number)


def print_drawn_bars(panels, names):
    """Prints every bar segment drawn on each named panel's axes as CSV rows
    panel,series,layer,value (the segment's height)."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["panel", "series", "layer", "value"])
    for panel, axes in panels.items():
        for container in axes.containers:
            for name, bar in zip(names, container.patches):
                writer.writerow([panel, container.get_label(), name, _value(bar.get_height())])


def print_drawn_lines(panels):
    """Prints every point of every labelled line drawn on each named panel's
    axes as CSV rows panel,series,x,y (a horizontal line spanning the axes
    has x 0 and 1)."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["panel", "series", "x", "y"])
    for panel, axes in panels.items():
        for line in axes.get_lines():
            if line.get_label().startswith("_"):
                continue  # matplotlib's own unlabelled artists
            for x, y in zip(line.get_xdata(), line.get_ydata()):
                if x != x:
                    continue  # NaN: a break between segments
                writer.writerow([panel, line.get_label(), _value(x), _value(y)])
