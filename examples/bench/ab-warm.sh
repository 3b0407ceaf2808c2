#!/usr/bin/env bash
# Warm builds of two retrobook binaries, alternating, measured by CPU time (user + system), which a
# busy machine disturbs less than wall time.
#
#   examples/bench/ab-warm.sh OLD NEW BOOK [PAIRS] [OUT] [-- BUILD_ARGS...]
#
# Copies BOOK into OUT/rb-abw-PID/ (OUT defaults to /dev/shm: keep it on tmpfs), builds it once with
# each binary into a site of its own, then PAIRS times (default 8): appends a sentence to the first
# retro of the copy and runs a warm build with OLD, appends another and runs one with NEW. Prints
# the mean CPU and wall seconds of each. BUILD_ARGS (e.g. --no-search) go to every build.
# docs/benchmarks.md ("Ninth session") has its figures.
set -euo pipefail
old=$(realpath "$1") new=$(realpath "$2") book=$(realpath "$3")
shift 3
pairs=8 out=/dev/shm
[[ $# -gt 0 && $1 != -- ]] && { pairs=$1; shift; }
[[ $# -gt 0 && $1 != -- ]] && { out=$1; shift; }
[[ $# -gt 0 && $1 == -- ]] && shift
work="$out/rb-abw-$$"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
cp -r "$book" "$work/book"
retro=$(find "$work/book/retros" -name '*.md' | sort | awk 'NR == 1')
build() { "$1" --today 2026-11-28 build --book "$work/book" --dest-dir "$work/site-$2" "${@:3}"; }
for b in old new; do build "${!b}" "$b" "$@" >/dev/null 2>&1; done
for ((i = 1; i <= pairs; i++)); do
    for b in old new; do
        printf '\nAn added sentence, %s.\n' "$b$i" >>"$retro"
        /usr/bin/time -f "$b %U %S %e" -a -o "$work/times" \
            "${!b}" --today 2026-11-28 build --book "$work/book" --dest-dir "$work/site-$b" "$@" >/dev/null 2>&1
    done
done
awk '{cpu[$1] += $2 + $3; wall[$1] += $4; n[$1]++}
     END {for (b in cpu) printf "%s: CPU %.3f s, wall %.3f s (mean of %d)\n", b, cpu[b] / n[b], wall[b] / n[b], n[b]}' \
    "$work/times" | sort -r
