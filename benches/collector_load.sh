#!/usr/bin/env bash
# The collector load benchmark on every backend: starts a throwaway PostgreSQL cluster (as
# .ci/test does), runs benches/collector_load.mjs for SQLite, PostgreSQL x1 and x2, stops the
# cluster. Arguments go to the benchmark: [seconds=10] [clients=4] [rows=100] [modes].
# Needs .ci/start's build (target/release and pkg/).
source "$(dirname "$0")/../.ci/lib.sh"
source "$ROOT/.ci/pg.sh"
pg_start
node "$ROOT/benches/collector_load.mjs" "$@"
