package io.tideflow.cli;

import picocli.CommandLine;

/** Reads the version from the jar's manifest. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = TideflowCommand.class.getPackage().getImplementationVersion();
    return new String[] {"tideflow " + (v == null ? "(development build)" : v)};
  }
}
