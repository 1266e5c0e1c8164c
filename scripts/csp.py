#!/usr/bin/env python3
"""Gives every HTML page of the built site a strict Content-Security-Policy (run by
scripts/site.sh after the static pages are written).

Each inline script (the theme script on every page; trunk's wasm loader on check/) is allowed
by its sha256 only, so no other script can run. Only the checker gets `'wasm-unsafe-eval'`.
`connect-src 'self'` everywhere: the checker's loader fetches the wasm, and tools that read the
site from inside a page (Lighthouse fetches /robots.txt that way) need the site's own origin;
nothing can be sent to another origin, and the browser tests check that the checker requests
nothing after load. Once the checker holds the user's text it adds `connect-src 'none'` itself
(src/main.rs).

It also writes `_headers` (the format Netlify and Cloudflare Pages read; `make serve` and the
browser tests' server apply it): each page's policy as an HTTP header too, with
`frame-ancestors 'none'`, which a meta tag cannot carry, and `nosniff` for every file. Paths
are under trunk's public URL (TRUNK_PUBLIC_URL, e.g. /poolfix/).
"""
import base64
import hashlib
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TRUNK_STAGING_DIR", "dist")
public_url = "/" + os.environ.get("TRUNK_PUBLIC_URL", "/").strip("/") + "/"
public_url = public_url.replace("//", "/")
headers = {}
pages = 0
for folder, _, files in os.walk(root):
    for name in files:
        if not name.endswith(".html"):
            continue
        path = os.path.join(folder, name)
        html = open(path, encoding="utf-8").read()
        scripts = re.findall(r"<script(?: type=\"module\")?>(.*?)</script>", html, re.S)
        hashes = " ".join(
            f"'sha256-{base64.b64encode(hashlib.sha256(s.encode('utf-8')).digest()).decode()}'" for s in scripts
        )
        app = 'type="module"' in html
        wasm = "'wasm-unsafe-eval' " if app else ""
        policy = (
            "default-src 'none'; "
            f"script-src 'self' {wasm}{hashes}; "
            "style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; "
            "base-uri 'self'; form-action 'none'"
        )
        meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\s*', "", html)
        if '<meta charset="utf-8">' not in html:
            sys.exit(f"csp: {path} has no <meta charset>")
        html = html.replace('<meta charset="utf-8">', '<meta charset="utf-8">\n  ' + meta, 1)
        open(path, "w", encoding="utf-8").write(html)
        pages += 1
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        paths = [public_url + rel]
        if rel == "index.html" or rel.endswith("/index.html"):
            paths.insert(0, public_url + rel[: -len("index.html")])
        for p in paths:
            headers[p] = policy + "; frame-ancestors 'none'"

with open(os.path.join(root, "_headers"), "w", encoding="utf-8") as f:
    f.write("# Written by scripts/csp.py: each page's Content-Security-Policy (the one in its meta tag,\n")
    f.write("# plus frame-ancestors), for hosts that read _headers (Netlify, Cloudflare Pages).\n")
    f.write(f"{public_url}*\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: no-referrer\n")
    for p in sorted(headers):
        f.write(f"{p}\n  Content-Security-Policy: {headers[p]}\n")
print(f"csp: {pages} pages, _headers")
