#!/bin/sh
# Starts the app under `strace -f`, following WebKit's web and network processes, logging
# every network system call to $DRUGCHATTER_STRACE_LOG (e2e/tests/offline.test.mjs).
exec strace -f --seccomp-bpf -e trace=network -o "$DRUGCHATTER_STRACE_LOG" -- "$DRUGCHATTER_TRACED_APP" "$@"
