package io.tideflow.cache.remote;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the remote tier proves itself to Redis and checks that it talks to Redis: TLS ({@code
 * rediss://}) with the CA that signed the server's certificate and, for {@code tls-auth-clients}, a
 * client certificate; and an ACL user with its password (Redis 6+), kept out of the URI so it shows
 * in no log and no process list.
 *
 * @param tlsDir a directory with {@code ca.crt} and, for a client certificate, {@code tls.crt} and
 *     {@code tls.key} (PKCS#8 PEM), as {@code tideflow cert issue} writes them; null to trust the
 *     JVM's default CAs
 * @param user an ACL user, or null
 * @param password its password, or null when {@code user} is null
 */
public record RedisCredentials(Path tlsDir, String user, String password) {
  /** No TLS directory, no user. */
  public static final RedisCredentials NONE = new RedisCredentials(null, null, null);

  private static final long MAX_PASSWORD_FILE_BYTES = 4096;

  public RedisCredentials {
    if ((user == null) != (password == null)) {
      throw new IllegalArgumentException("a Redis user needs a password and a password a user");
    }
    if (user != null && (user.isBlank() || user.length() > 256)) {
      throw new IllegalArgumentException(
          "Redis user must be 1..256 characters, was '" + user + "'");
    }
  }

  /**
   * TLS from {@code tlsDir} (null for none) and the ACL {@code user} whose password is the first
   * line of {@code passwordFile}.
   *
   * @throws IllegalArgumentException naming a password file that is empty or too long
   */
  public static RedisCredentials fromFiles(Path tlsDir, String user, Path passwordFile) {
    try {
      if (Files.size(passwordFile) > MAX_PASSWORD_FILE_BYTES) {
        throw new IllegalArgumentException(
            "password file " + passwordFile + " is over " + MAX_PASSWORD_FILE_BYTES + " bytes");
      }
      String first =
          Files.readString(passwordFile, StandardCharsets.UTF_8).lines().findFirst().orElse("");
      if (first.isEmpty()) {
        throw new IllegalArgumentException("password file " + passwordFile + " is empty");
      }
      return new RedisCredentials(tlsDir, user, first);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Redis password file " + passwordFile, e);
    }
  }

  @Override
  public String toString() {
    // Never the password.
    return "RedisCredentials[tlsDir=" + tlsDir + ", user=" + user + "]";
  }
}
