#!/usr/bin/env bash
# A/B of two retrobook binaries on one book, alternating, so that a noisy machine slows both alike.
#
#   examples/bench/ab.sh OLD NEW BOOK [ROUNDS] [OUT]
#
# Each round, for OLD then NEW: a cold build with search (site and cache deleted first), the same
# build again with nothing changed, a cold --no-search build, then a warm build with search and a
# warm --no-search build after a new sentence was appended to one retro (the middle file of the
# book's retros, in a copy of the book under OUT). Prints wall seconds per build. OUT (default
# /dev/shm) should be tmpfs; everything is written in OUT/rb-ab-PID/, removed at the end.
# docs/benchmarks.md ("Seventh session") has its figures.
set -euo pipefail
old=$(realpath "$1") new=$(realpath "$2") book=$(realpath "$3") rounds=${4:-3} out=${5:-/dev/shm}
work="$out/rb-ab-$$"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
cp -r "$book" "$work/book"
retro=$(find "$work/book/retros" -name '*.md' | sort | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}')
day=2026-11-28
secs() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -1; }
edit() { printf '\nAn added sentence, %s.\n' "$RANDOM$RANDOM" >>"$retro"; }
for b in old new; do
    bin=${!b}
    "$bin" --today $day build --book "$work/book" --dest-dir "$work/warm-$b" >/dev/null 2>&1
    "$bin" --today $day build --book "$work/book" --dest-dir "$work/warmn-$b" --no-search >/dev/null 2>&1
done
for ((round = 1; round <= rounds; round++)); do
    for b in old new; do
        bin=${!b} site="$work/cold-$b"
        rm -rf "$site" "$work/.cold-$b-cache"
        cold=$(secs "$bin" --today $day build --book "$book" --dest-dir "$site")
        again=$(secs "$bin" --today $day build --book "$book" --dest-dir "$site")
        rm -rf "$site" "$work/.cold-$b-cache"
        nosearch=$(secs "$bin" --today $day build --book "$book" --dest-dir "$site" --no-search)
        rm -rf "$site" "$work/.cold-$b-cache"
        edit
        warm=$(secs "$bin" --today $day build --book "$work/book" --dest-dir "$work/warm-$b")
        edit
        warmn=$(secs "$bin" --today $day build --book "$work/book" --dest-dir "$work/warmn-$b" --no-search)
        echo "$b cold=$cold again=$again no-search=$nosearch warm=$warm warm-no-search=$warmn"
    done
done
