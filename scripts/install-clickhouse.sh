#!/usr/bin/env bash
# Installs ClickHouse when no server binary is found: Debian's packages on
# Debian/Ubuntu, otherwise a clear message saying what to install.
set -euo pipefail

have_server() {
  command -v clickhouse-server >/dev/null 2>&1 || [ -x /usr/sbin/clickhouse-server ] || command -v clickhouse >/dev/null 2>&1
}

if have_server; then
  exit 0
fi

if [ -r /etc/os-release ] && grep -qiE '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release && command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      SUDO="sudo"
    else
      echo "ClickHouse is missing: run as root: apt-get install -y clickhouse-server clickhouse-client" >&2
      exit 1
    fi
  fi
  echo "installing ClickHouse from the distribution's packages (clickhouse-server, clickhouse-client)…" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends clickhouse-server clickhouse-client >/dev/null
  # The package tries to start its own service; globaloffice runs its own
  # server on its own ports instead, so that one is not needed.
  have_server && exit 0
  echo "apt-get install finished but no clickhouse-server binary was found" >&2
  exit 1
fi

cat >&2 <<'MSG'
ClickHouse is missing and this is not a Debian/Ubuntu machine.
Install a ClickHouse server binary (https://clickhouse.com/docs/install: the single
"clickhouse" binary or the clickhouse-server package), put it on PATH or set
clickhouse.server_path (GLOBALOFFICE_CLICKHOUSE_SERVER_PATH), then run make again.
MSG
exit 1
