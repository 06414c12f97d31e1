#!/usr/bin/env bash
# One idempotent set-up step shared by `npm test`, `npm run demo` and CI:
# npm packages, a MariaDB server binary (from Debian's packages), and a fresh build.
# Every step is skipped when its result is already there, so running it twice costs ~1 s.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'goneaway setup: %s\n' "$*" >&2; }

# 1. npm packages. `npm test` may be the very first command on a clean clone.
if [ ! -d node_modules/mysql2 ] || [ ! -x node_modules/.bin/tsc ] || [ package.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
fi

# 2. MariaDB. The test kit only needs the server binary and mariadb-install-db; it never
#    starts the system service. GONEAWAY_TEST_URI points tests at an existing server instead.
find_server() {
  for name in mariadbd mysqld; do
    command -v "$name" >/dev/null 2>&1 && return 0
    for dir in /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin; do
      [ -x "$dir/$name" ] && return 0
    done
  done
  return 1
}
if [ -z "${GONEAWAY_TEST_URI:-}" ] && ! find_server; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="none"; fi
  if [ "$SUDO" = none ] || ! command -v apt-get >/dev/null 2>&1; then
    say "no MariaDB server binary found. Install it (Debian/Ubuntu: 'sudo apt-get install -y mariadb-server'),"
    say "or set GONEAWAY_TEST_URI=mysql://user:password@host:port/db to use a server you already run."
    exit 1
  fi
  say "installing mariadb-server from Debian's packages (the system service is not started)"
  # policy-rc.d keeps the package's post-install from starting a system-wide server.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mariadb-server >/dev/null
  [ "$created_policy" = 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d
  # Some images start the service anyway; the test kit wants no stray server around.
  $SUDO service mariadb stop >/dev/null 2>&1 || true
fi

# 3. Tools some tests drive: tmux (a real terminal for `goneaway top`) and Chromium (renders the
#    benchmark report). Only with --test-tools (npm test), so the demo never waits for a browser.
missing=()
if [ "${1:-}" = "--test-tools" ]; then
  command -v tmux >/dev/null 2>&1 || missing+=(tmux)
  # fonts-liberation: with --no-install-recommends Chromium would render text without a font.
  command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-liberation)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="none"; fi
  if [ "$SUDO" = none ] || ! command -v apt-get >/dev/null 2>&1; then
    say "missing ${missing[*]}: the tests that need them will fail and say so (Debian: 'sudo apt-get install -y ${missing[*]}')"
  else
    say "installing ${missing[*]} from Debian's packages"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# 4. Build, when any source is newer than the build.
if [ ! -f dist/index.js ] || [ -n "$(find src tsconfig.json tsconfig.build.json package.json -newer dist/index.js -print -quit 2>/dev/null)" ]; then
  say "building"
  rm -rf dist
  npx --no-install tsc -p tsconfig.build.json
  chmod +x dist/cli/main.js 2>/dev/null || true
fi
