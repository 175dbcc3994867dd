#!/bin/bash
# RUSTC_WRAPPER that appends "crate wall_s user_s sys_s max_rss_kb" per rustc to $RUSTC_TIME_LOG.
name=unknown; prev=
for a in "$@"; do [ "$prev" = "--crate-name" ] && name=$a; prev=$a; done
out=$(mktemp)
/usr/bin/time -f "%e %U %S %M" -o "$out" "$@"; rc=$?
echo "$name $(cat $out | tail -1)" >> "${RUSTC_TIME_LOG:-rustc-time.log}"
rm -f "$out"; exit $rc
