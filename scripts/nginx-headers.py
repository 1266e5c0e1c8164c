#!/usr/bin/env python3
"""Writes the nginx form of the site's `_headers` (scripts/csp.py): a file to `include` in the
`server { }` block that serves the built site (README, Hosting). Checked on a real nginx by
verify/conventions.py.

Usage: nginx-headers.py DIST > poolfix-headers.conf

nginx drops a level's inherited `add_header`s as soon as a location has its own, so every
location repeats the headers for all paths. Folder URLs (`/guide/start/`) reach their
`index.html` by nginx's internal redirect, so each page needs only its `index.html` location.
"""
import os
import sys

from headers import read_headers

dist = sys.argv[1] if len(sys.argv) > 1 else "dist"
rules = read_headers(os.path.join(dist, "_headers"))
if not rules:
    sys.exit(f"nginx-headers: {dist}/_headers is missing or empty: build the site first")
everywhere = [(p, values) for p, values in rules if p.endswith("*")]
prefix = everywhere[0][0][:-1] if everywhere else "/"
common = [v for _, values in everywhere for v in values]


def add(values):
    return "".join(f'    add_header {name} "{value}" always;\n' for name, value in values)


out = [
    "# poolfix's response headers for nginx, from _headers (scripts/nginx-headers.py).\n",
    "absolute_redirect off;\n",
    f"error_page 404 {prefix}404.html;\n",
    f"location {prefix} {{\n{add(common)}}}\n",
    f"location = {prefix}_headers {{\n    return 404;\n}}\n",
]
for path, values in rules:
    if path.endswith(".html"):
        out.append(f"location = {path} {{\n{add(common + values)}}}\n")
sys.stdout.write("".join(out))
