#!/bin/sh
# Runs every integration test (test/integration/*.sh but this one and lib.sh) against a build.
set -u
build=${1:?usage: $0 BUILD_DIR}
dir=$(dirname "$0")
failed=0
for t in "$dir"/*.sh; do
	case $(basename "$t") in run-all.sh | lib.sh) continue ;; esac
	if ! sh "$t" "$build"; then
		failed=$((failed + 1))
	fi
done
if [ "$failed" -ne 0 ]; then
	echo "integration tests: $failed failed" >&2
	exit 1
fi
echo "integration tests: all passed"
