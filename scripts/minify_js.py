#!/usr/bin/env python3
"""Minifies wasm-bindgen's JS glue for the checker with terser (pinned in package.json), then
puts the file's new hash into the `integrity` attribute that trunk wrote for it, so the page
still loads it. Run by scripts/site.sh before the static pages are written.

trunk's own minifier fails on wasm-bindgen 0.2.130's JS and leaves it as is; terser takes it
from 5.5 KB to about 4 KB brotli. The glue is an ES module, so terser may rename everything
but its exports. Exit status 1 (the build fails) when terser is missing or fails.
"""
import base64
import hashlib
import os
import re
import subprocess
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TRUNK_STAGING_DIR", "dist")
terser = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node_modules", ".bin", "terser")
glue = [n for n in os.listdir(root) if re.fullmatch(r"poolfix-web-[0-9a-f]+\.js", n)]
if len(glue) != 1:
    sys.exit(f"minify_js: expected one poolfix-web-*.js in {root}, found {glue}")
path = os.path.join(root, glue[0])


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


before = open(path, "rb").read()
subprocess.run(
    [terser, path, "--module", "--compress", "--mangle", "--output", path], check=True
)
after = open(path, "rb").read()
index = os.path.join(root, "index.html")
html = open(index, encoding="utf-8").read()
if html.count(sri(before)) != 1:
    sys.exit(f"minify_js: {index} does not name {glue[0]}'s integrity once")
open(index, "w", encoding="utf-8").write(html.replace(sri(before), sri(after)))
print(f"minify_js: {glue[0]} {len(before)} -> {len(after)} bytes")
