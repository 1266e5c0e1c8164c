"""Reads the site's `_headers` file (written by scripts/csp.py; the format Netlify and
Cloudflare Pages read: a path, exact or ending in `*`, then indented `Name: value` lines).
Used by scripts/serve.py (`make serve`) and scripts/nginx-headers.py."""
import os


def read_headers(path):
    """[(path pattern, [(name, value)])] in file order; [] when there is no file."""
    rules = []
    if os.path.isfile(path):
        for line in open(path, encoding="utf-8"):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line[0] in " \t":
                name, _, value = line.strip().partition(":")
                rules[-1][1].append((name.strip(), value.strip()))
            else:
                rules.append((line.strip(), []))
    return rules


def headers_for(rules, url_path):
    """The headers a request for `url_path` gets: those of every matching rule, as hosts do."""
    for pattern, values in rules:
        if url_path == pattern or (pattern.endswith("*") and url_path.startswith(pattern[:-1])):
            yield from values
