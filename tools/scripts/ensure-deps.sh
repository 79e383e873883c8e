#!/usr/bin/env bash
# Installs npm dependencies and generates the Prisma client, only when they are missing or stale.
# Idempotent and silent when there is nothing to do. Used by `npm test` and `npm start`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# npm writes node_modules/.package-lock.json on every install: older than package-lock.json means stale.
if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "Dependencies: running npm ci"
  NX_NO_CLOUD=true NX_DAEMON=false npm ci --no-audit --no-fund
fi

client=libs/platform/src/generated/prisma/client.ts
if [[ ! -f "$client" ]] || [[ -n "$(find prisma/schema -name '*.prisma' -newer "$client" -print -quit)" ]]; then
  echo "Prisma: generating the client"
  if ! out=$(npm run --silent db:generate 2>&1); then
    echo "$out" >&2
    echo "Prisma: client generation failed" >&2
    exit 1
  fi
  touch "$client" # so an unchanged schema does not trigger another generate
fi
