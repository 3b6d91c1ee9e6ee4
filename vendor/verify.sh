#!/usr/bin/env bash
# Proves that each crate in vendor/ is its crates.io release plus the one
# patch in vendor/patches/, and nothing else: downloads the release, checks
# it against the checksum crates.io published for it (the one Cargo.lock
# recorded before the patch), checks that the patch changes one line,
# applies it, and compares the result with the vendored copy file by file,
# contents and executable bits. Run by .ci/run; needs curl (and CA
# certificates), tar, patch, sha256sum and GNU find. Exit status 1 names the
# crate and the difference.
set -euo pipefail
shopt -s dotglob nullglob
cd "$(dirname "$0")"

# name version sha256 of the .crate file
crates=(
  "tungstenite 0.21.0 9ef1a641ea34f399a848dea702823bbecfb4c486f911735368f1f137cb8257e1"
  "rust_socketio 0.6.0 6a6a8672db895d567b3c0b8a4c0d3e98113ebb32badf6ce66004e743e5ee1e1e"
  "engineioxide-core 0.2.3 118a748203198472029bf8ee196032ad375b8c454ec5fe2f00f783badf4cb9d1"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

vendored=()
for line in "${crates[@]}"; do
  read -r name version sum <<<"$line"
  dir="$name-$version"
  vendored+=("$dir")
  url="https://static.crates.io/crates/$name/$dir.crate"
  curl -sSfL --retry 3 --max-time 60 -o "$work/$dir.crate" "$url" ||
    { echo "vendor/verify.sh: could not download $url" >&2; exit 1; }
  echo "$sum  $work/$dir.crate" | sha256sum --check --quiet ||
    { echo "vendor/verify.sh: $url is not the release Cargo.lock recorded ($sum)" >&2; exit 1; }
  tar -xzf "$work/$dir.crate" -C "$work"
  changed=$(grep -c '^[-+][^-+]' "patches/$dir.diff" || true)
  [ "$changed" = 2 ] ||
    { echo "vendor/verify.sh: patches/$dir.diff changes more than one line ($changed lines - and +)" >&2; exit 1; }
  patch --quiet --forward -p1 -d "$work/$dir" <"patches/$dir.diff" ||
    { echo "vendor/verify.sh: patches/$dir.diff does not apply to the $dir release" >&2; exit 1; }
  # Git keeps a file's executable bit only (the rest follows the umask).
  modes() { (cd "$1" && find . \( -perm -u+x -printf 'x ' -o -printf '- ' \) -printf '%y %p\n' | sort); }
  if ! diff -r "$work/$dir" "$dir" >"$work/diff" ||
    ! diff <(modes "$work/$dir") <(modes "$dir") >>"$work/diff"; then
    echo "vendor/verify.sh: vendor/$dir is not the $dir release plus patches/$dir.diff:" >&2
    cat "$work/diff" >&2
    exit 1
  fi
  echo "vendor/$dir: the crates.io release plus patches/$dir.diff"
done

# Nothing vendored, and no patch, that is not checked here.
for dir in */; do
  dir=${dir%/}
  [ "$dir" = patches ] && continue
  [[ " ${vendored[*]} " == *" $dir "* ]] ||
    { echo "vendor/verify.sh: vendor/$dir is not listed in this script" >&2; exit 1; }
done
for diff in patches/*; do
  dir=${diff#patches/}
  dir=${dir%.diff}
  [[ " ${vendored[*]} " == *" $dir "* ]] ||
    { echo "vendor/verify.sh: vendor/$diff patches no crate listed in this script" >&2; exit 1; }
done
