#!/usr/bin/env python3
"""Rewrites the generated tables of docs/outputs.md from `systole figures`.

    scripts/update_outputs_doc.py [BUILD/systole]

Each table sits between `<!-- generated: NAME ... -->` and
`<!-- end generated -->`; tests/test_figures.cpp checks that they match.
"""
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parent.parent
binary = sys.argv[1] if len(sys.argv) > 1 else str(root / "build" / "systole")
doc_path = root / "docs" / "outputs.md"
doc = doc_path.read_text()
generated = subprocess.run([binary, "figures"], check=True, capture_output=True, text=True).stdout
for block in generated.split("## ")[1:]:
    name, _, table = block.partition("\n\n")
    begin = doc.find(f"<!-- generated: {name.strip()} ")
    if begin < 0:
        sys.exit(f"docs/outputs.md: no table marked '<!-- generated: {name.strip()} '")
    body = doc.index("\n", begin) + 1
    end = doc.index("<!-- end generated -->", body)
    doc = doc[:body] + table.strip("\n") + "\n" + doc[end:]
doc_path.write_text(doc)
