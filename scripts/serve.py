#!/usr/bin/env python3
"""Serves a built site on 127.0.0.1 the way static hosts (GitHub Pages, Netlify) do: a folder
by its index.html, `/folder` redirected to `/folder/`, unknown paths with 404.html,
gzip-compressed bodies for clients that accept them, and the headers of the site's `_headers`
file (scripts/headers.py). `make serve` and scripts/lighthouse.sh use it; `make watch` is
trunk's development server.

Usage: serve.py DIST PORT
"""
import functools
import gzip
import http.server
import io
import os
import sys

from headers import headers_for, read_headers

dist, port = os.path.abspath(sys.argv[1]), int(sys.argv[2])
HEADERS = read_headers(os.path.join(dist, "_headers"))


@functools.lru_cache(maxsize=None)
def compressed(path, mtime):
    with open(path, "rb") as f:
        return gzip.compress(f.read(), 9)


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=dist, **kwargs)

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?")[0].endswith("/"):
                self.send_response(301)
                self.send_header("Location", self.path.split("?")[0] + "/")
                self.end_headers()
                return None
            path = os.path.join(path, "index.html")
        status = 200
        # Hosts read _headers; they do not serve it.
        if not os.path.isfile(path) or os.path.basename(path) == "_headers":
            path, status = os.path.join(dist, "404.html"), 404
        body = open(path, "rb").read()
        encoding = None
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            body, encoding = compressed(path, os.stat(path).st_mtime), "gzip"
        self.send_response(status)
        for name, value in headers_for(HEADERS, self.path.split("?")[0]):
            self.send_header(name, value)
        self.send_header("Content-Type", self.guess_type(path))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, *args):
        pass


Handler.extensions_map[".wasm"] = "application/wasm"
Handler.extensions_map[".js"] = "text/javascript"
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
