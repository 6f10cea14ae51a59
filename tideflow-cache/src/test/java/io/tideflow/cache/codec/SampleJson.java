package io.tideflow.cache.codec;

import java.util.Random;

/** JSON documents shaped like an API's responses, for compression tests and benchmarks. */
public final class SampleJson {
  private SampleJson() {}

  /** An array of {@code count} order objects with varied ids, amounts and item lists (seeded). */
  public static String orders(int count) {
    Random random = new Random(count);
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        json.append(',');
      }
      json.append("{\"orderId\":\"ord-")
          .append(100_000 + random.nextInt(900_000))
          .append("\",\"customer\":{\"id\":")
          .append(random.nextInt(50_000))
          .append(",\"name\":\"Customer ")
          .append(random.nextInt(1000))
          .append("\",\"tier\":\"")
          .append(random.nextBoolean() ? "gold" : "standard")
          .append("\"},\"status\":\"")
          .append(random.nextInt(3) == 0 ? "SHIPPED" : "PENDING")
          .append("\",\"total\":")
          .append(random.nextInt(100_000) / 100.0)
          .append(",\"currency\":\"EUR\",\"items\":[");
      int items = 1 + random.nextInt(3);
      for (int j = 0; j < items; j++) {
        if (j > 0) {
          json.append(',');
        }
        json.append("{\"sku\":\"SKU-")
            .append(random.nextInt(5000))
            .append("\",\"quantity\":")
            .append(1 + random.nextInt(5))
            .append(",\"price\":")
            .append(random.nextInt(10_000) / 100.0)
            .append('}');
      }
      json.append("],\"createdAt\":\"2026-11-")
          .append(10 + random.nextInt(18))
          .append("T")
          .append(10 + random.nextInt(13))
          .append(":00:00Z\"}");
    }
    return json.append(']').toString();
  }
}
