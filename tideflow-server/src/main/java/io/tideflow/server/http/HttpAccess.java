package io.tideflow.server.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * What a node's HTTP endpoints need beyond loopback: HTTPS with the node's certificate, and a
 * bearer token on every request but {@code /healthz} (which tells nothing), as Prometheus sends it
 * with {@code authorization: {credentials_file: ...}}.
 */
public final class HttpAccess {
  /** A token shorter than this is guessable. */
  static final int MIN_TOKEN_CHARS = 16;

  private static final long MAX_TOKEN_FILE_BYTES = 4096;

  private final SSLContext tls;
  private final byte[] token;

  private HttpAccess(SSLContext tls, byte[] token) {
    this.tls = tls;
    this.token = token;
  }

  /**
   * HTTPS from {@code tls}, requests carrying the token in the first line of {@code tokenFile}.
   *
   * @throws IllegalArgumentException naming a token file that cannot be read or is too short
   */
  public static HttpAccess of(SSLContext tls, Path tokenFile) {
    String token;
    try {
      if (Files.size(tokenFile) > MAX_TOKEN_FILE_BYTES) {
        throw new IllegalArgumentException(
            "token file " + tokenFile + " is over " + MAX_TOKEN_FILE_BYTES + " bytes");
      }
      token = Files.readString(tokenFile, StandardCharsets.UTF_8).lines().findFirst().orElse("");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the token file " + tokenFile, e);
    }
    if (token.length() < MIN_TOKEN_CHARS) {
      throw new IllegalArgumentException(
          "the token in "
              + tokenFile
              + " must be at least "
              + MIN_TOKEN_CHARS
              + " characters, was "
              + token.length());
    }
    return new HttpAccess(tls, token.getBytes(StandardCharsets.UTF_8));
  }

  SSLContext tls() {
    return tls;
  }

  /** The cookie a browser keeps the token in, for the dashboard. */
  static final String COOKIE = "tideflow_token";

  /**
   * The cookie of the node on {@code port}: cookies are not kept apart by port, and two nodes on
   * one host have tokens of their own.
   */
  static String cookie(int port) {
    return COOKIE + "_" + port;
  }

  static String loginPage(int port) {
    return LOGIN_PAGE.replace(COOKIE + "=", cookie(port) + "=");
  }

  /** Asks a browser for the token once, then keeps it in {@link #COOKIE} and reloads. */
  private static final String LOGIN_PAGE =
      """
      <!doctype html><html><head><meta charset="utf-8"><title>Tideflow: token required</title></head>
      <body style="font-family:sans-serif;margin:3em">
      <h1>A token is required</h1>
      <p>Paste the token of this node's HTTP endpoints (the file given to --metrics-token-file).</p>
      <form onsubmit="document.cookie='%s='+encodeURIComponent(this.t.value)+
      ';Secure;SameSite=Strict;Path=/';location.reload();return false">
      <input name="t" type="password" size="48" autofocus> <button>Open</button></form>
      </body></html>
      """
          .formatted(COOKIE);

  /**
   * Whether {@code exchange} carries the token, as a bearer token or in the {@link #COOKIE} cookie;
   * compared in constant time.
   */
  boolean admits(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header != null && header.startsWith("Bearer ")) {
      return matches(header.substring("Bearer ".length()));
    }
    for (String cookies : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
      for (String cookie : cookies.split(";")) {
        String c = cookie.strip();
        String name = cookie(exchange.getLocalAddress().getPort());
        if (c.startsWith(name + "=")) {
          try {
            return matches(
                URLDecoder.decode(c.substring(name.length() + 1), StandardCharsets.UTF_8));
          } catch (IllegalArgumentException e) {
            return false; // not a token anyone set here: refused as a wrong one is
          }
        }
      }
    }
    return false;
  }

  private boolean matches(String given) {
    return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token);
  }
}
