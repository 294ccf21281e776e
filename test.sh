#!/usr/bin/env bash
# Installs what the tests need (PostgreSQL and Chromium from Debian's packages, Spectral from npm), starts a throwaway
# PostgreSQL on a free loopback port, runs every test against SQLite and PostgreSQL (and the browser
# tests in Chromium), and stops it again.
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '\n== %s\n' "$*"; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

# Package lists are refreshed once, and only when something has to be installed.
APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

if [ -z "$(pg_bin)" ]; then
  log "Installing PostgreSQL"
  apt_install postgresql
fi
PG_BIN="$(pg_bin)"

# The browser tests drive Debian's Chromium through Playwright; Playwright never downloads a browser here.
if [ ! -x /usr/bin/chromium ]; then
  log "Installing Chromium"
  apt_install chromium fonts-dejavu-core
fi
export PARLEY_REQUIRE_BROWSER=1

# The OpenAPI lint runs Spectral from npm, pinned by tools/openapi-lint/package-lock.json.
if [ ! -x tools/openapi-lint/node_modules/.bin/spectral ]; then
  log "Installing Spectral (OpenAPI lint)"
  if ! command -v npm >/dev/null; then apt_install nodejs npm; fi
  (cd tools/openapi-lint && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
export PARLEY_REQUIRE_LINT=1

# PostgreSQL refuses to run as root; its cluster belongs to the 'postgres' user the package created.
PG_USER="$(id -un)"
[ "$(id -u)" -eq 0 ] && PG_USER=postgres
run_pg() { if [ "$(id -un)" = "$PG_USER" ]; then "$@"; else runuser -u "$PG_USER" -- "$@"; fi; }

PG_DIR="$(mktemp -d /tmp/parley-pg.XXXXXX)"
chown "$PG_USER" "$PG_DIR"
PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"

stop_pg() {
  run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_pg EXIT

log "Starting PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
run_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
# fsync stays on: the durability the tests check should be the production kind.
run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=300" start >/dev/null

export PARLEY_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres;Pooling=true"
export PARLEY_REQUIRE_POSTGRES=1

log "Building"
dotnet build Parley.slnx -c Release -warnaserror

log "Running tests (SQLite and PostgreSQL; browser tests in Chromium)"
# One test project at a time (-m:1): the browser tests measure "within a second" and share two cores.
dotnet test Parley.slnx -c Release --no-build -m:1
