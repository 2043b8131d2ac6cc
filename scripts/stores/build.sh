#!/usr/bin/env bash
# Builds (or installs) the independent S3 servers of the store lane from the package
# registries into a cache (STORES_CACHE, default .cache/stores/ in the repository), one folder
# per server holding its binary and a stamp naming the version it was built from. A server
# whose stamp matches is not built again. Usage: scripts/stores/build.sh [name ...] (default: all).
# Prints one line per server: "name: built in Ns" / "name: cached" / "name: FAILED (log: …)".
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${STORES_CACHE:-$root/.cache/stores}"
mkdir -p "$cache"
# The toolchains where this machine kind has them, should PATH lack them.
for d in /usr/local/go/bin "$HOME/.cargo/bin" "$HOME/go/bin"; do [ -d "$d" ] && PATH="$PATH:$d"; done
export PATH
# shellcheck source=versions.sh
. "$here/versions.sh"

build_one() {
  local name="$1" dir="$cache/$1"
  case "$name" in
    s3s-fs)
      cargo install "s3s-fs@$S3S_FS_VERSION" --features binary --locked --root "$dir" ;;
    garage)
      cargo install "garage@$GARAGE_VERSION" --locked --root "$dir" ;;
    versitygw)
      GOBIN="$dir/bin" GOFLAGS=-mod=mod go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION" ;;
    minio)
      GOBIN="$dir/bin" go install "github.com/minio/minio@$MINIO_VERSION" ;;
    seaweedfs)
      # Its go.mod has replace directives, so `go install pkg@version` refuses it: download the
      # module and build ./weed inside it.
      local src
      src="$(go mod download -json "github.com/seaweedfs/seaweedfs@$SEAWEEDFS_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p')" || return 1
      [ -n "$src" ] || return 1
      mkdir -p "$dir/bin"
      (cd "$src" && go build -o "$dir/bin/weed" ./weed) ;;
    s3proxy)
      mkdir -p "$dir/lib"
      mvn -B -q -f "$here/s3proxy/pom.xml" dependency:copy-dependencies \
        -Ds3proxy.version="$S3PROXY_VERSION" -Djackson.annotations.version="$JACKSON_ANNOTATIONS_VERSION" \
        -DincludeScope=runtime -DoutputDirectory="$dir/lib" ;;
    *) echo "unknown store: $name" >&2; return 2 ;;
  esac
}

names=("$@")
[ ${#names[@]} -gt 0 ] || names=($ALL_STORES)
status=0
for name in "${names[@]}"; do
  stamp="$cache/$name/STAMP"
  want="$(stamp_of "$name")"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then echo "$name: cached ($want)"; continue; fi
  rm -rf "${cache:?}/$name"; mkdir -p "$cache/$name"
  log="$cache/$name.build.log"
  start=$(date +%s)
  if build_one "$name" >"$log" 2>&1; then
    echo "$want" >"$stamp"
    echo "$(( $(date +%s) - start ))" >"$cache/$name/BUILD_SECONDS"
    echo "$name: built in $(( $(date +%s) - start ))s ($want)"
  else
    echo "$name: FAILED after $(( $(date +%s) - start ))s (log: $log)"; tail -n 20 "$log" >&2; status=1
  fi
done
exit $status
