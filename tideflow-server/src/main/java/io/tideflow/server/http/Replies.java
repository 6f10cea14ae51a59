package io.tideflow.server.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Answers an HTTP exchange with a whole body: text, JSON or bytes of a given type. */
public final class Replies {
  private Replies() {}

  /** {@code message} and a newline as plain text. */
  public static void text(HttpExchange exchange, int status, String message) throws IOException {
    bytes(
        exchange,
        status,
        "text/plain; charset=utf-8",
        (message + "\n").getBytes(StandardCharsets.UTF_8));
  }

  public static void json(HttpExchange exchange, int status, String json) throws IOException {
    bytes(exchange, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  public static void bytes(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
