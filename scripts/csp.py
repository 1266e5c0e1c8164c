#!/usr/bin/env python3
"""trunk post_build hook: adds a strict Content-Security-Policy to the built index.html.

trunk writes the wasm loader as an inline module script; its sha256 goes into script-src, so no
other script can run. connect-src 'self' is the strictest that lets the loader fetch the wasm;
the browser tests check that nothing else is requested after load.
"""
import base64
import hashlib
import os
import re
import sys

path = os.path.join(os.environ.get("TRUNK_STAGING_DIR", sys.argv[1] if len(sys.argv) > 1 else "dist"), "index.html")
html = open(path, encoding="utf-8").read()
scripts = re.findall(r"<script type=\"module\">(.*?)</script>", html, re.S)
if len(scripts) != 1:
    sys.exit(f"csp: expected one inline module script in {path}, found {len(scripts)}")
digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode()
policy = (
    "default-src 'none'; "
    f"script-src 'self' 'wasm-unsafe-eval' 'sha256-{digest}'; "
    "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'self'; form-action 'none'"
)
meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\s*', "", html)
html = html.replace('<meta charset="utf-8">', '<meta charset="utf-8">\n  ' + meta, 1)
open(path, "w", encoding="utf-8").write(html)
