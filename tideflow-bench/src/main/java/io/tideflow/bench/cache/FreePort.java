package io.tideflow.bench.cache;

import io.tideflow.bench.endtoend.HazelcastBackend;

/** Prints a free loopback port, for run-cache-bench.sh to start redis-server on. */
public final class FreePort {
  private FreePort() {}

  public static void main(String[] args) {
    System.out.println(HazelcastBackend.freeLoopbackPort());
  }
}
