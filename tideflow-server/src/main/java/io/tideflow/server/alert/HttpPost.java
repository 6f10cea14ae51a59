package io.tideflow.server.alert;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Posts JSON with a bounded wait, and calls anything but a 2xx answer a failure. */
final class HttpPost {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** The most of an error answer kept for the message. */
  private static final int MAX_ERROR_CHARS = 300;

  private final HttpClient http;

  HttpPost(HttpClient http) {
    this.http = http;
  }

  static HttpPost withDefaults() {
    return new HttpPost(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
  }

  void json(URI to, String body) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(to)
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      String answer = r.body();
      if (answer.length() > MAX_ERROR_CHARS) {
        answer = answer.substring(0, MAX_ERROR_CHARS) + "…";
      }
      throw new IOException(to + " answered " + r.statusCode() + ": " + answer.strip());
    }
  }
}
