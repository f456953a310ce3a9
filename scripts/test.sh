#!/usr/bin/env bash
# The whole test suite (`npm test`): Chromium and CJK fonts for the browser tests (installed from
# Debian's packages when missing, or it stops here with the apt-get line), type check,
# generated-types drift (Kysely's DB types, the apps' API types), then vitest against a real MariaDB (started by tests/global-setup.ts).
# It runs under a time zone that is neither UTC nor Asia/Shanghai, so any code that leaned on the
# server's TZ instead of functions/src/time/ fails here.
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=America/New_York
bash scripts/browser.sh install
npx tsc -p tsconfig.json
# The mini-program has its own compiler settings (bundler resolution, DOM, JSX).
npx tsc -p miniapp/tsconfig.json
# The admin console likewise (Vite: bundler resolution, DOM, JSX).
npx tsc -p admin/tsconfig.json
npx tsx scripts/db-types.ts --verify
npx tsx scripts/api-types.ts --verify
npx vitest run "$@"
# The time tests once more in a zone east of UTC (and not +08:00): a helper that read the
# process's zone can agree with Shanghai west of UTC and still move a date by a day east of it.
if [ $# -eq 0 ]; then
  TZ=Pacific/Auckland npx vitest run functions/src/time tests/booking/time.test.ts tests/visit/visit-flow.test.ts
fi
