package io.tideflow.cli;

import picocli.CommandLine.ITypeConverter;

/** Amounts of bytes as people write them: a whole number, or one with Ki, Mi, Gi or Ti. */
final class Sizes implements ITypeConverter<Long> {
  private static final String[] UNITS = {"Ki", "Mi", "Gi", "Ti"};

  /**
   * @param what names the value in the error, e.g. {@code "process sink: 'memory'"}
   * @throws IllegalArgumentException for anything else, or a negative or too large amount
   */
  static long bytes(String text, String what) {
    String s = text.trim();
    int shift = 0;
    for (int i = 0; i < UNITS.length; i++) {
      if (s.endsWith(UNITS[i])) {
        shift = 10 * (i + 1);
        s = s.substring(0, s.length() - 2).trim();
      }
    }
    try {
      long n = Long.parseLong(s);
      if (n < 0) {
        throw new NumberFormatException("negative");
      }
      return Math.multiplyExact(n, 1L << shift);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          what + " must be bytes, or a whole number with Ki, Mi, Gi or Ti, was '" + text + "'", e);
    }
  }

  /**
   * {@code bytes} as {@link #bytes} reads it when exact: {@code 2Gi}, {@code 1536Mi}, {@code 100}.
   */
  static String format(long bytes) {
    for (int i = UNITS.length - 1; i >= 0; i--) {
      long unit = 1L << (10 * (i + 1));
      if (bytes >= unit && bytes % unit == 0) {
        return bytes / unit + UNITS[i];
      }
    }
    return Long.toString(bytes);
  }

  @Override
  public Long convert(String value) {
    return bytes(value, "the size");
  }
}
