#!/usr/bin/env bash
# Throwaway local MariaDB for development and tests.
#
#   scripts/db.sh start [dev|test]   start (or reuse) an instance, print its DATABASE_URL
#   scripts/db.sh stop  [dev|test]   stop it by its pid file
#   scripts/db.sh status [dev|test]
#   scripts/db.sh url   [dev|test]
#   scripts/db.sh install            install mariadb-server from Debian packages if missing
#
# Each instance has its own data dir, port, socket and pid file under .data/ and listens on
# 127.0.0.1 only, so it never collides with a system MariaDB/MySQL. It is configured like
# MySQL 8 (utf8mb4, MySQL 8's default sql_mode, UTC) so that what passes here passes on
# PlanetScale. Durability is relaxed (flush at most once a second): it is a throwaway database.
set -euo pipefail
# Debian keeps mariadbd and mariadb-install-db in /usr/sbin, which a non-root PATH lacks.
export PATH="$PATH:/usr/sbin:/sbin"

cmd=${1:-start}
instance=${2:-dev}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "$instance" in
  dev) default_port=3307 ;;
  test) default_port=3308 ;;
  *) echo "unknown instance '$instance' (dev|test)" >&2; exit 2 ;;
esac
port=${BX_DB_PORT:-$default_port}
dir=${BX_DB_DIR:-$root/.data/mariadb-$instance}
datadir=$dir/data
sock=$dir/mysqld.sock
pidfile=$dir/mysqld.pid
log=$dir/mysqld.log
user=bx87h9
password=bx87h9
database=bx87h9
url="mysql://$user:$password@127.0.0.1:$port/$database"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

ensure_installed() {
  command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null && return
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then sudo="sudo"; else
      echo "mariadb-server is not installed. Install it with: sudo apt-get install mariadb-server" >&2
      exit 1
    fi
  fi
  echo "mariadb-server is missing: installing it from Debian packages…" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  # The package would start a system-wide server on port 3306; we only want the binaries.
  local added_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    added_policy=1
  fi
  $sudo apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client >&2
  [ -z "$added_policy" ] || $sudo rm -f /usr/sbin/policy-rc.d
}

start() {
  if running; then echo "$url"; return; fi
  ensure_installed
  mkdir -p "$dir"
  if [ ! -d "$datadir/mysql" ]; then
    mariadb-install-db --no-defaults --datadir="$datadir" --user="$(id -un)" \
      --auth-root-authentication-method=socket --skip-test-db >"$dir/install.log" 2>&1 \
      || { cat "$dir/install.log" >&2; exit 1; }
  fi
  # --no-defaults: ignore /etc/mysql so a system configuration cannot leak in.
  mariadbd --no-defaults --user="$(id -un)" --datadir="$datadir" --socket="$sock" \
    --pid-file="$pidfile" --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
    --log-error="$log" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --sql-mode=ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION \
    --default-time-zone=+00:00 --max-connections=1000 --innodb-buffer-pool-size=256M \
    --innodb-flush-log-at-trx-commit=2 --sync-binlog=0 --skip-log-bin \
    --innodb-lock-wait-timeout=10 >/dev/null 2>&1 &
  for _ in $(seq 1 300); do
    if mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1; then break; fi
    if ! kill -0 $! 2>/dev/null; then echo "MariaDB failed to start; see $log" >&2; tail -20 "$log" >&2; exit 1; fi
    sleep 0.1
  done
  mariadb --no-defaults --socket="$sock" -uroot <<SQL
CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$password';
-- Tests create one database per worker, so the user may create any database.
GRANT ALL PRIVILEGES ON *.* TO '$user'@'127.0.0.1';
CREATE DATABASE IF NOT EXISTS $database;
SQL
  echo "$url"
}

stop() {
  if ! running; then echo "MariaDB ($instance) is not running" >&2; return; fi
  pid=$(cat "$pidfile")
  kill "$pid"
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || { echo "stopped MariaDB ($instance)" >&2; return; }; sleep 0.1; done
  echo "MariaDB ($instance, pid $pid) did not stop in 30 s" >&2; exit 1
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running (pid $(cat "$pidfile")) at $url"; else echo "stopped"; exit 1; fi ;;
  url) echo "$url" ;;
  install) ensure_installed ;;
  *) echo "usage: scripts/db.sh start|stop|status|url|install [dev|test]" >&2; exit 2 ;;
esac
