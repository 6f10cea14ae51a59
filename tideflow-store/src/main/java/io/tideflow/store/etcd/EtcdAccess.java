package io.tideflow.store.etcd;

import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.auth.Permission;
import io.etcd.jetcd.common.exception.EtcdException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * etcd's users, roles and key permissions, set up by an administrator's process (its certificate's
 * common name {@code root}). Users are named as their certificates' common names, which etcd takes
 * as the user of a request under {@code --client-cert-auth}; their passwords are random and never
 * used. Every call is idempotent: what exists already is left as it is.
 */
public final class EtcdAccess {
  /** One permission of a role: a key, or every key under a prefix; read, or read and write. */
  public record KeyPermission(String key, boolean prefix, boolean write) {
    public KeyPermission {
      if (key == null || key.isEmpty()) {
        throw new IllegalArgumentException("key must not be empty");
      }
    }
  }

  private static final long TIMEOUT_SECONDS = 10;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Auth auth;

  EtcdAccess(Auth auth) {
    this.auth = auth;
  }

  /** The root user and role etcd needs before auth can be enabled. */
  public void ensureRoot() {
    user("root");
    role("root");
    await(auth.userGrantRole(bytes("root"), bytes("root")), "grant role root to root");
  }

  /** User {@code user} holds role {@code role}, which grants {@code permissions}. */
  public void grant(String user, String role, List<KeyPermission> permissions) {
    grant(user, null, role, permissions);
  }

  /**
   * As {@link #grant(String, String, List)}, the user also signing in with {@code password} (null
   * for a random one never used, for a process known by its certificate alone).
   */
  public void grant(String user, String password, String role, List<KeyPermission> permissions) {
    user(user);
    if (password != null) {
      await(auth.userChangePassword(bytes(user), bytes(password)), "set the password of " + user);
    }
    role(role);
    for (KeyPermission p : permissions) {
      ByteSequence key = bytes(p.key());
      ByteSequence end = p.prefix() ? prefixEnd(p.key()) : ByteSequence.EMPTY;
      await(
          auth.roleGrantPermission(
              bytes(role), key, end, p.write() ? Permission.Type.READWRITE : Permission.Type.READ),
          "grant " + p + " to role " + role);
    }
    await(auth.userGrantRole(bytes(user), bytes(role)), "grant role " + role + " to " + user);
  }

  /** Turns etcd's auth on: from now on only the users set up here are served. */
  public void enable() {
    await(auth.authEnable(), "enable auth");
  }

  private void user(String name) {
    byte[] secret = new byte[24];
    RANDOM.nextBytes(secret);
    existsOk(
        auth.userAdd(bytes(name), bytes(Base64.getEncoder().encodeToString(secret))),
        "add user " + name);
  }

  private void role(String name) {
    existsOk(auth.roleAdd(bytes(name)), "add role " + name);
  }

  private static void existsOk(CompletableFuture<?> call, String what) {
    try {
      await(call, what);
    } catch (IllegalStateException e) {
      if (!String.valueOf(e.getMessage()).contains("already exists")) {
        throw e;
      }
      // Set up by an earlier run: idempotent by design.
    }
  }

  private static <T> T await(CompletableFuture<T> call, String what) {
    try {
      return call.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String message = cause instanceof EtcdException etcd ? etcd.getMessage() : cause.toString();
      throw new IllegalStateException("etcd refused to " + what + ": " + message, cause);
    } catch (TimeoutException e) {
      throw new IllegalStateException("etcd did not answer within 10 s to " + what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking etcd to " + what, e);
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  /** The first key after every key starting with {@code prefix}: its last byte plus one. */
  private static ByteSequence prefixEnd(String prefix) {
    byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return ByteSequence.from(java.util.Arrays.copyOf(end, i + 1));
      }
    }
    return ByteSequence.from(new byte[] {0});
  }
}
