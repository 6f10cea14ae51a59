#!/usr/bin/env bash
# Sourced by ./tideflow and ./run-tests: exports JAVA_HOME pointing at the newest JDK >= 21
# it can find (JAVA_HOME first, then java on PATH, then /usr/lib/jvm), or fails with a message.

tideflow_jdk_major() {
  local version
  version=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
  [ -n "$version" ] && echo "${version%%.*}"
}

tideflow_find_jdk() {
  local best="" best_major=0 candidate major
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for candidate in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    [ -d "$candidate" ] && candidates+=("$candidate")
  done
  for candidate in "${candidates[@]}"; do
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(tideflow_jdk_major "$candidate") || continue
    [ -n "$major" ] || continue
    if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best="$candidate"
      best_major="$major"
    fi
  done
  if [ -z "$best" ]; then
    echo "tideflow: no JDK 21 or newer found (looked at JAVA_HOME, java on PATH and /usr/lib/jvm)." >&2
    echo "tideflow: install one (e.g. 'apt-get install openjdk-21-jdk') or set JAVA_HOME." >&2
    return 1
  fi
  export JAVA_HOME="$best"
  export TIDEFLOW_JDK_MAJOR="$best_major"
  export PATH="$JAVA_HOME/bin:$PATH"
  # Maven's own Guava warns about sun.misc.Unsafe on JDK 24+; the warning says nothing about us.
  if [ "$best_major" -ge 24 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}
