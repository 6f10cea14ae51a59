#!/usr/bin/env bash
# Sourced by the benchmark scripts, with $here set to this directory: finds a JDK >= 21 (sets
# JAVA_HOME) and sets BENCH_CLASSPATH to the built benchmark classes and their dependencies.
source "$here/../scripts/find-jdk.sh"
tideflow_find_jdk >/dev/null
cp_file="$here/target/endtoend.classpath"
[ -f "$cp_file" ] || { echo "run the package build first: $cp_file is missing" >&2; exit 1; }
BENCH_CLASSPATH="$here/target/classes:$(cat "$cp_file")"
