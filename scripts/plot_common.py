"""What the plot scripts share: Debian's matplotlib (so they run under
/usr/bin/python3) and reading Systole's CSV reports, each failure a one-line
message naming the script."""
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


def read_rows(path):
    try:
        with open(path, newline="") as f:
            return list(csv.DictReader(f))
    except OSError as e:
        sys.exit(f"{SCRIPT}: {path}: {e.strerror}")
