#!/usr/bin/env bash
# Makes PostgreSQL and Redis reachable for the tests (and Chromium present when KIRIM_NEED_CHROMIUM=1).
# Starts what is not running and installs Debian packages when a binary is missing (root only).
# Prints one line per action; silent when everything already answers.
#   DATABASE_ADMIN_URL  default postgresql://postgres@127.0.0.1:5432/postgres
#   REDIS_URL           default redis://127.0.0.1:6379
set -euo pipefail

DATABASE_ADMIN_URL="${DATABASE_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
TMP="${TMPDIR:-/tmp}"

say() { echo "ensure-services: $*"; }
die() { echo "ensure-services: ERROR: $*" >&2; exit 1; }
is_root() { [[ "$(id -u)" == 0 ]]; }
is_local() { [[ "$1" == 127.0.0.1 || "$1" == localhost || "$1" == ::1 || "$1" == "[::1]" ]]; }

# wait_for <seconds> <command...>: polls the command every 0.2 s.
wait_for() {
  local tries=$(($1 * 5)); shift
  for ((i = 0; i < tries; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

APT_UPDATED=
apt_install() {
  is_root || die "'$1' is missing and installing it needs root: run 'apt-get install -y $*' as root"
  command -v apt-get >/dev/null || die "'$1' is missing and there is no apt-get to install it"
  if [[ -z "$APT_UPDATED" ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed"
    APT_UPDATED=1
  fi
  say "installing Debian package(s): $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || die "apt-get install $* failed"
}

# url_part <url> <hostname|port|username> <default>
url_part() {
  node -e 'const u = new URL(process.argv[1]); const v = decodeURIComponent(u[process.argv[2]] || "");
    console.log(v.replace(/^\[|\]$/g, "") || process.argv[3])' "$1" "$2" "$3"
}

# ---------------------------------------------------------------- PostgreSQL
pg_ok() { pg_isready -q -t 2 -d "$DATABASE_ADMIN_URL"; }

pg_bindir() { # newest Debian server binaries, else whatever is on PATH
  local d; d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"
  elif command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then dirname "$(command -v pg_ctl)"
  fi
}

# A throwaway cluster under $TMP, trust auth, listening on the host/port of DATABASE_ADMIN_URL.
start_throwaway_pg() {
  local bin=$1 host=$2 port=$3 user=$4 dir="$TMP/kirim-pg-$3"
  local as=() # initdb and postgres refuse to run as root
  if is_root; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$TMP" postgres
    as=(runuser -u postgres --)
  fi
  mkdir -p "$dir"
  if is_root; then chown postgres: "$dir"; fi
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    "${as[@]}" "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
      die "initdb failed, see $dir/initdb.log"
  fi
  # fsync off etc.: test data is disposable.
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 start \
    -o "-p $port -k $dir -c listen_addresses=$host -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    >/dev/null || die "PostgreSQL did not start, see $dir/log"
  say "started a throwaway PostgreSQL cluster on $host:$port (data in $dir/data)"
}

ensure_postgres() {
  pg_ok && return 0
  local host port user
  host=$(url_part "$DATABASE_ADMIN_URL" hostname 127.0.0.1)
  port=$(url_part "$DATABASE_ADMIN_URL" port 5432)
  user=$(url_part "$DATABASE_ADMIN_URL" username postgres)
  if ! is_local "$host"; then # a remote server (e.g. a CI service container) may still be booting
    wait_for 30 pg_ok || die "PostgreSQL at $host:$port does not answer (DATABASE_ADMIN_URL)"
    return 0
  fi
  command -v pg_isready >/dev/null || apt_install postgresql-client

  # 1. The Debian cluster, when there is one (it listens on 5432 unless configured otherwise).
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1 || true)
  if [[ -n "$version" && -d "/etc/postgresql/$version/main" ]] && command -v pg_ctlcluster >/dev/null; then
    if pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 && wait_for 15 pg_ok; then
      say "started the PostgreSQL $version cluster 'main'"
      return 0
    fi
  fi

  # 2. A throwaway cluster; install the server first if there are no binaries at all.
  local bin; bin=$(pg_bindir)
  if [[ -z "$bin" ]]; then
    apt_install postgresql
    bin=$(pg_bindir)
    [[ -n "$bin" ]] || die "PostgreSQL binaries still missing after installing the postgresql package"
  fi
  start_throwaway_pg "$bin" "$host" "$port" "$user"
  wait_for 15 pg_ok || die "PostgreSQL started but $DATABASE_ADMIN_URL does not answer"
}

# --------------------------------------------------------------------- Redis
redis_ok() {
  if command -v redis-cli >/dev/null; then
    [[ "$(redis-cli -u "$REDIS_URL" --no-auth-warning ping 2>/dev/null)" == PONG ]]
  else # no redis-cli: speak the protocol over bash's /dev/tcp
    local host port
    host=$(url_part "$REDIS_URL" hostname 127.0.0.1); port=$(url_part "$REDIS_URL" port 6379)
    ( exec 3<>"/dev/tcp/$host/$port" && printf 'PING\r\n' >&3 && read -r -t 2 reply <&3 && [[ "$reply" == +PONG* ]] ) 2>/dev/null
  fi
}

ensure_redis() {
  redis_ok && return 0
  local host port dir
  host=$(url_part "$REDIS_URL" hostname 127.0.0.1)
  port=$(url_part "$REDIS_URL" port 6379)
  if ! is_local "$host"; then
    wait_for 30 redis_ok || die "Redis at $host:$port does not answer (REDIS_URL)"
    return 0
  fi
  command -v redis-server >/dev/null || apt_install redis-server
  dir=$(mktemp -d "$TMP/kirim-redis-$port.XXXXXX")
  redis-server --daemonize yes --bind "$host" --port "$port" --save "" --appendonly no --dir "$dir" \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null || die "redis-server did not start"
  wait_for 10 redis_ok || die "Redis started but $REDIS_URL does not answer, see $dir/redis.log"
  say "started redis-server on $host:$port (pid $(cat "$dir/redis.pid" 2>/dev/null || echo ?), files in $dir)"
}

# ------------------------------------------------------------------ Chromium
ensure_chromium() {
  [[ "${KIRIM_NEED_CHROMIUM:-}" == 1 && ! -x /usr/bin/chromium ]] || return 0
  apt_install chromium
  [[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium still missing after installing the chromium package"
}

ensure_postgres
ensure_redis
ensure_chromium
