package io.tideflow.bench.cache;

import java.util.SplittableRandom;

/** JSON documents like an order API's list responses, seeded, for the compression figures. */
final class JsonPayloads {
  private static final String[] STATUSES = {"PENDING", "PAID", "SHIPPED", "DELIVERED"};
  private static final String[] CITIES = {"Lyon", "Porto", "Gdansk", "Leeds", "Graz", "Turku"};

  private JsonPayloads() {}

  /** A page of {@code count} orders. */
  static String orders(int count) {
    SplittableRandom random = new SplittableRandom(count * 31L);
    StringBuilder out = new StringBuilder(count * 400).append("{\"page\":1,\"orders\":[");
    for (int i = 0; i < count; i++) {
      out.append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(1_000_000 + random.nextInt(9_000_000))
          .append(",\"status\":\"")
          .append(STATUSES[random.nextInt(STATUSES.length)])
          .append("\",\"shipTo\":{\"city\":\"")
          .append(CITIES[random.nextInt(CITIES.length)])
          .append("\",\"postcode\":\"")
          .append(10_000 + random.nextInt(89_999))
          .append("\"},\"lines\":[");
      int lines = 1 + random.nextInt(4);
      for (int j = 0; j < lines; j++) {
        out.append(j == 0 ? "" : ",")
            .append("{\"sku\":\"SKU-")
            .append(random.nextInt(20_000))
            .append("\",\"qty\":")
            .append(1 + random.nextInt(9))
            .append(",\"unitPrice\":")
            .append(random.nextInt(50_000) / 100.0)
            .append('}');
      }
      out.append("],\"placedAt\":\"2026-11-")
          .append(10 + random.nextInt(19))
          .append("T")
          .append(10 + random.nextInt(14))
          .append(':')
          .append(10 + random.nextInt(50))
          .append(":00Z\"}");
    }
    return out.append("],\"next\":null}").toString();
  }
}
