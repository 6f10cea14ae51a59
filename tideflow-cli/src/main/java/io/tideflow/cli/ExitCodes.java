package io.tideflow.cli;

/** Exit codes of the {@code tideflow} command. */
final class ExitCodes {
  static final int OK = 0;

  /** The command ran but did not achieve its purpose (lost tasks, failed tasks). */
  static final int FAILED = 1;

  /** Bad arguments (picocli's own code). */
  static final int USAGE = 2;

  /** The cluster store could not be reached. */
  static final int STORE_UNAVAILABLE = 3;

  /**
   * A worker stopped because another node registered its id while its own lease was gone: it could
   * not rejoin under that id.
   */
  static final int ID_TAKEN = 4;

  private ExitCodes() {}
}
