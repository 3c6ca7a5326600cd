#!/usr/bin/env bash
# Restores one database from a dump written by scripts/backup-databases.sh.
#
# Usage: scripts/restore-database.sh DATABASE_URL FOLDER DATABASE [TARGET_DATABASE]
#   DATABASE_URL     the PostgreSQL server (see backup-databases.sh; password via PGPASSWORD/.pgpass).
#   FOLDER           the backup folder; FOLDER/DATABASE.dump is restored, after checking it against
#                    FOLDER/SHA256SUMS when that file lists it.
#   DATABASE         the database the dump was taken from, e.g. order_db.
#   TARGET_DATABASE  where to restore, default DATABASE. It is created when missing; an existing one
#                    must be empty. A database with tables is never overwritten: restore beside it
#                    (e.g. order_db_restored), check, then swap names while the service is stopped.
#
# Environment: NO_OWNER=1 restores without the dump's owners and grants (everything then belongs to
# the connecting role), for a server where the original roles do not exist.
# The restore is one transaction: on any error nothing is left half-restored, and a database this
# script created is dropped again.
set -euo pipefail

log() { printf '%s restore: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
  log "$*"
  exit 2
}

# database_url SERVER_URL DATABASE: the server URL with DATABASE as its path.
database_url() {
  local url=$1 database=$2 scheme rest query=''
  scheme=${url%%://*}
  rest=${url#*://}
  if [[ $rest == *'?'* ]]; then
    query="?${rest#*\?}"
    rest=${rest%%\?*}
  fi
  printf '%s://%s/%s%s' "$scheme" "${rest%%/*}" "$database" "$query"
}

[[ $# -ge 3 && $# -le 4 ]] || die "usage: $0 DATABASE_URL FOLDER DATABASE [TARGET_DATABASE]"
server_url=$1
folder=$2
database=$3
target=${4:-$3}
[[ $server_url =~ ^postgres(ql)?:// ]] || die "DATABASE_URL must start with postgres:// or postgresql://"
for name in "$database" "$target"; do
  [[ $name =~ ^[a-z_][a-z0-9_]*$ ]] || die "not a database name: \"$name\""
done
for tool in pg_restore psql sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is not on PATH (install the PostgreSQL client tools)"
done

dump="$folder/$database.dump"
[[ -f $dump ]] || die "no dump at $dump"
if [[ -f $folder/SHA256SUMS ]] && grep -q " $database.dump\$" "$folder/SHA256SUMS"; then
  (cd "$folder" && grep " $database.dump\$" SHA256SUMS | sha256sum --check --quiet -) ||
    die "$dump does not match its checksum in SHA256SUMS"
fi
pg_restore --list "$dump" >/dev/null || die "$dump is not a readable pg_dump archive"

admin_url=$(database_url "$server_url" postgres)
target_url=$(database_url "$server_url" "$target")
psql_admin() { psql -X -q -At -v ON_ERROR_STOP=1 -v db="$target" -d "$admin_url" "$@"; }

created=''
exists=$(psql_admin <<<"SELECT count(*) FROM pg_database WHERE datname = :'db'")
if [[ $exists == 0 ]]; then
  log "creating database $target"
  psql_admin <<<'CREATE DATABASE :"db"'
  created=yes
else
  relations=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$target_url" -c "
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'")
  [[ $relations == 0 ]] || die "database $target is not empty ($relations relations): restore into a new name, or drop it first"
fi

options=(--exit-on-error --single-transaction)
if [[ ${NO_OWNER:-} == 1 ]]; then options+=(--no-owner --no-acl); fi
log "restoring $dump into $target"
if ! pg_restore "${options[@]}" --dbname="$target_url" "$dump"; then
  if [[ -n $created ]]; then
    log "dropping $target, which this restore created"
    psql_admin <<<'DROP DATABASE :"db"' || log "could not drop $target"
  fi
  die "FAILED to restore $dump into $target (nothing was kept)"
fi
# pg_restore does not carry planner statistics over.
psql -X -q -v ON_ERROR_STOP=1 -d "$target_url" -c 'ANALYZE'
log "restored $database into $target"
