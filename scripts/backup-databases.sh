#!/usr/bin/env bash
# Dumps service databases with `pg_dump -Fc`, one file per database, and checks each dump reads back.
#
# Usage: scripts/backup-databases.sh DATABASE_URL FOLDER [DATABASE...]
#   DATABASE_URL  the PostgreSQL server, e.g. postgres://backup@db.internal:5432?sslmode=require.
#                 Each database is reached by putting its name in the URL's path; user, host, port
#                 and parameters are kept. Leave the password out of the URL (it would show in `ps`)
#                 and give it with PGPASSWORD or ~/.pgpass.
#   FOLDER        created if missing. Writes FOLDER/<database>.dump and FOLDER/SHA256SUMS. A dump is
#                 written beside its final name and renamed only once complete and readable, so an
#                 earlier good dump is never replaced by a broken one.
#   DATABASE...   defaults to the ten service databases, auth_db ... return_db.
#
# Every database is attempted; the exit status is non-zero if any of them failed. pg_dump must be
# the server's major version or newer. Restore one with scripts/restore-database.sh.
set -euo pipefail

SERVICE_DATABASES=(auth_db user_db product_db order_db payment_db notification_db cart_db discount_db shipping_db return_db)

log() { printf '%s backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
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

[[ $# -ge 2 ]] || die "usage: $0 DATABASE_URL FOLDER [DATABASE...]"
server_url=$1
folder=$2
shift 2
[[ $server_url =~ ^postgres(ql)?:// ]] || die "DATABASE_URL must start with postgres:// or postgresql://"
databases=("$@")
[[ ${#databases[@]} -gt 0 ]] || databases=("${SERVICE_DATABASES[@]}")
for database in "${databases[@]}"; do
  [[ $database =~ ^[a-z_][a-z0-9_]*$ ]] || die "not a database name: \"$database\""
done
for tool in pg_dump pg_restore sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is not on PATH (install the PostgreSQL client tools)"
done

mkdir -p "$folder"
failed=()
for database in "${databases[@]}"; do
  final="$folder/$database.dump"
  partial="$final.partial"
  rm -f "$partial"
  log "dumping $database"
  if pg_dump --format=custom --compress=6 --file="$partial" --dbname="$(database_url "$server_url" "$database")" &&
    pg_restore --list "$partial" >/dev/null; then
    mv -f "$partial" "$final"
    log "dumped $database: $(wc -c <"$final") bytes"
  else
    rm -f "$partial"
    log "FAILED to dump $database"
    failed+=("$database")
  fi
done

# Checksums of every dump in the folder (including earlier ones kept because this run failed them).
(
  cd "$folder"
  shopt -s nullglob
  dumps=(*.dump)
  if [[ ${#dumps[@]} -gt 0 ]]; then sha256sum -- "${dumps[@]}" >SHA256SUMS.partial && mv -f SHA256SUMS.partial SHA256SUMS; fi
)

if [[ ${#failed[@]} -gt 0 ]]; then
  log "failed: ${failed[*]}"
  exit 1
fi
log "done: ${#databases[@]} database(s) in $folder"
