#!/usr/bin/env bash
# npm run test:stores: builds the store lane's servers that are missing from the cache
# (STORES_BUILD, default: every one named by STORES, default all of them; "none" builds
# nothing), then runs test/stores/ against every server whose build is present (limited to
# STORES when set). A server that fails to build is reported and its tests are skipped; the
# lane then fails. The JSON report goes to test-artifacts/stores.json, each store's outcomes
# to test-artifacts/stores/<store>.json.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
. "$here/versions.sh"
stores="${STORES:-$ALL_STORES}"
build="${STORES_BUILD:-$stores}"
status=0
if [ "$build" != "none" ]; then
  # shellcheck disable=SC2086
  bash "$here/build.sh" $build || status=1
fi
mkdir -p test-artifacts
STORES="$stores" npx vitest run -c test/stores/vitest.config.ts "$@" || status=1
exit $status
