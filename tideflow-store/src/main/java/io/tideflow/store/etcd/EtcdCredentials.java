package io.tideflow.store.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * How a process proves itself to etcd and checks that it talks to etcd: TLS with the CA that signed
 * etcd's certificate and, for etcd's {@code --client-cert-auth}, a client certificate (etcd takes
 * its common name as the user when auth is on); and/or a user and a password read from a file.
 * Never from the command line in clear: a password there shows in {@code ps} for everyone.
 *
 * @param tlsDir a directory with {@code ca.crt} and, for a client certificate, {@code tls.crt} and
 *     {@code tls.key} (PKCS#8 PEM), as {@code tideflow cert issue} writes them; null for none
 * @param user an etcd user, or null
 * @param password its password, or null when {@code user} is null
 */
public record EtcdCredentials(Path tlsDir, String user, String password) {
  /** Plaintext, no user: for an etcd on loopback or a trusted network. */
  public static final EtcdCredentials NONE = new EtcdCredentials(null, null, null);

  /** Where a directory given by environment is read from, when no option names one. */
  public static final String TLS_DIR_ENV = "TIDEFLOW_STORE_TLS_DIR";

  public static final String USER_ENV = "TIDEFLOW_STORE_USER";

  /** A file holding the password (its first line); the password itself never in a variable. */
  public static final String PASSWORD_FILE_ENV = "TIDEFLOW_STORE_PASSWORD_FILE";

  /** Longest password file read. */
  private static final long MAX_PASSWORD_FILE_BYTES = 4096;

  public EtcdCredentials {
    if ((user == null) != (password == null)) {
      throw new IllegalArgumentException("an etcd user needs a password and a password a user");
    }
    if (user != null && (user.isBlank() || user.length() > 256)) {
      throw new IllegalArgumentException("etcd user must be 1..256 characters, was '" + user + "'");
    }
  }

  /**
   * From options where given, else from the environment ({@value #TLS_DIR_ENV}, {@value #USER_ENV},
   * {@value #PASSWORD_FILE_ENV}).
   *
   * @throws IllegalArgumentException naming a password file that cannot be read, or a user without
   *     one
   */
  public static EtcdCredentials of(
      Path tlsDir, String user, Path passwordFile, Map<String, String> env) {
    Path dir = tlsDir != null ? tlsDir : pathOrNull(env.get(TLS_DIR_ENV));
    String u = user != null ? user : env.get(USER_ENV);
    Path file = passwordFile != null ? passwordFile : pathOrNull(env.get(PASSWORD_FILE_ENV));
    if (u == null && file == null) {
      return new EtcdCredentials(dir, null, null);
    }
    if (u == null || file == null) {
      throw new IllegalArgumentException(
          "an etcd user needs a password file and a password file a user (--store-user,"
              + " --store-password-file or "
              + USER_ENV
              + ", "
              + PASSWORD_FILE_ENV
              + ")");
    }
    return new EtcdCredentials(dir, u, readPassword(file));
  }

  private static String readPassword(Path file) {
    try {
      if (Files.size(file) > MAX_PASSWORD_FILE_BYTES) {
        throw new IllegalArgumentException(
            "password file " + file + " is over " + MAX_PASSWORD_FILE_BYTES + " bytes");
      }
      String first = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("");
      if (first.isEmpty()) {
        throw new IllegalArgumentException("password file " + file + " is empty");
      }
      return first;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the etcd password file " + file, e);
    }
  }

  private static Path pathOrNull(String s) {
    return s == null || s.isBlank() ? null : Path.of(s);
  }

  /** Whether etcd is dialled over TLS. */
  public boolean tls() {
    return tlsDir != null;
  }

  @Override
  public String toString() {
    // Never the password.
    return "EtcdCredentials[tlsDir=" + tlsDir + ", user=" + user + "]";
  }
}
