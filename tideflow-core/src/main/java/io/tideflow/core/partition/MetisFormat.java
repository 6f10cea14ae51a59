package io.tideflow.core.partition;

import java.util.Arrays;
import java.util.Locale;

/**
 * METIS's graph file format, read from and written to text (the caller does the file I/O): a header
 * {@code n m [fmt [ncon]]}, then one line per vertex, 1-based: {@code [vwgt] (neighbour [ewgt])*},
 * where {@code fmt} {@code 1} means edge weights, {@code 10} vertex weights, {@code 11} both; lines
 * starting with {@code %} are comments. Also the partition file gpmetis writes: the part of each
 * vertex, one per line.
 */
public final class MetisFormat {
  /** The most vertices a graph file may declare; beyond it the file is refused, not read. */
  public static final int MAX_VERTICES = 50_000_000;

  private MetisFormat() {}

  /**
   * The graph that {@code text} describes.
   *
   * @throws IllegalArgumentException naming the line that is wrong: a bad header, a neighbour out
   *     of range, a count of lines or edges other than the header's, an unsupported format
   */
  public static Graph parse(CharSequence text) {
    Lines lines = new Lines(text);
    String header = lines.next();
    if (header == null) {
      throw new IllegalArgumentException("the graph file is empty: it needs a header 'n m [fmt]'");
    }
    String[] h = header.trim().split("\\s+");
    if (h.length < 2 || h.length > 4) {
      throw new IllegalArgumentException(
          "line " + lines.number + ": the header must be 'n m [fmt [ncon]]', was '" + header + "'");
    }
    long n = number(h[0], lines.number, "n");
    long m = number(h[1], lines.number, "m");
    if (n > MAX_VERTICES) {
      throw new IllegalArgumentException(
          "line " + lines.number + ": " + n + " vertices is over the " + MAX_VERTICES + " read");
    }
    String fmt = h.length > 2 ? h[2] : "0";
    if (!fmt.matches("0?[01]?[01]")) {
      throw new IllegalArgumentException(
          "line "
              + lines.number
              + ": format '"
              + fmt
              + "' is not supported (0, 1, 10 or 11: vertex sizes are not read)");
    }
    int code = Integer.parseInt(fmt);
    boolean edgeWeights = code % 10 == 1;
    boolean vertexWeights = code / 10 % 10 == 1;
    if (h.length > 3 && number(h[3], lines.number, "ncon") != 1) {
      throw new IllegalArgumentException(
          "line " + lines.number + ": only one vertex weight per vertex (ncon 1) is read");
    }
    int[] offsets = new int[(int) n + 1];
    int[] vw = new int[(int) n];
    Arrays.fill(vw, 1);
    IntList adjacency = new IntList();
    IntList weights = new IntList();
    for (int v = 0; v < n; v++) {
      String line = lines.next();
      if (line == null) {
        throw new IllegalArgumentException(
            "the header says " + n + " vertices, the file ends after " + v);
      }
      String trimmed = line.trim();
      String[] f = trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
      int i = 0;
      if (vertexWeights) {
        if (f.length == 0) {
          throw new IllegalArgumentException(
              "line " + lines.number + ": vertex " + (v + 1) + " has no weight");
        }
        vw[v] = (int) number(f[i++], lines.number, "vertex weight");
      }
      int step = edgeWeights ? 2 : 1;
      if ((f.length - i) % step != 0) {
        throw new IllegalArgumentException(
            "line " + lines.number + ": a neighbour without its edge weight");
      }
      for (; i < f.length; i += step) {
        long u = number(f[i], lines.number, "neighbour");
        if (u < 1 || u > n) {
          throw new IllegalArgumentException(
              "line " + lines.number + ": neighbour " + u + " is not a vertex (1.." + n + ")");
        }
        adjacency.add((int) (u - 1));
        weights.add(edgeWeights ? (int) number(f[i + 1], lines.number, "edge weight") : 1);
        if (adjacency.size > 2 * m) {
          throw new IllegalArgumentException(
              "line " + lines.number + ": more ends of edges than the header's " + m + " edges");
        }
      }
      offsets[v + 1] = adjacency.size;
    }
    if (adjacency.size != 2 * m) {
      throw new IllegalArgumentException(
          "the header says "
              + m
              + " edges, the vertex lines list "
              + adjacency.size
              + " ends of edges (each edge is listed at both its ends)");
    }
    // Graph.of names an edge without its reverse, one listed twice, a self-loop, a bad weight.
    return Graph.of(offsets, adjacency.toArray(), weights.toArray(), vw);
  }

  /** A growable int array. */
  private static final class IntList {
    int[] values = new int[1024];
    int size;

    void add(int value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    int[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }

  /** {@code g} in METIS's format, with weights only where some differ from 1. */
  public static String format(Graph g) {
    boolean ew = false;
    boolean vw = false;
    for (int v = 0; v < g.vertexCount(); v++) {
      vw |= g.vertexWeight(v) != 1;
      for (int i = 0; i < g.degree(v); i++) {
        ew |= g.edgeWeight(v, i) != 1;
      }
    }
    StringBuilder out = new StringBuilder();
    out.append(g.vertexCount()).append(' ').append(g.edgeCount());
    if (ew || vw) {
      out.append(' ').append(vw ? "1" : "").append(ew ? "1" : "0");
    }
    out.append('\n');
    for (int v = 0; v < g.vertexCount(); v++) {
      StringBuilder line = new StringBuilder();
      if (vw) {
        line.append(g.vertexWeight(v));
      }
      for (int i = 0; i < g.degree(v); i++) {
        if (!line.isEmpty()) {
          line.append(' ');
        }
        line.append(g.neighbor(v, i) + 1);
        if (ew) {
          line.append(' ').append(g.edgeWeight(v, i));
        }
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  /** The partition as gpmetis writes it: each vertex's part, one per line. */
  public static String formatPartition(Partition p, int vertices) {
    StringBuilder out = new StringBuilder(vertices * 3);
    for (int v = 0; v < vertices; v++) {
      out.append(p.part(v)).append('\n');
    }
    return out.toString();
  }

  /**
   * A partition file as gpmetis writes it, for {@code vertices} vertices into {@code parts}.
   *
   * @throws IllegalArgumentException naming the line that is not a part number
   */
  public static int[] parsePartition(CharSequence text, int vertices, int parts) {
    Lines lines = new Lines(text);
    int[] assignment = new int[vertices];
    for (int v = 0; v < vertices; v++) {
      String line = lines.next();
      if (line == null) {
        throw new IllegalArgumentException(
            "the partition ends after " + v + " of " + vertices + " vertices");
      }
      long p = number(line.trim(), lines.number, "part");
      if (p >= parts) {
        throw new IllegalArgumentException(
            "line " + lines.number + ": part " + p + " is beyond the " + parts + " parts");
      }
      assignment[v] = (int) p;
    }
    return assignment;
  }

  private static long number(String s, int line, String what) {
    try {
      long value = Long.parseLong(s);
      if (value < 0 || value > Integer.MAX_VALUE) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "line %d: %s must be a number from 0 to 2^31-1, was '%s'",
              line,
              what,
              s),
          e);
    }
  }

  /** Lines of the text, comments skipped, counted from 1. */
  private static final class Lines {
    private final CharSequence text;
    private int at;
    int number;

    Lines(CharSequence text) {
      this.text = text;
    }

    String next() {
      while (at < text.length()) {
        int end = at;
        while (end < text.length() && text.charAt(end) != '\n') {
          end++;
        }
        String line = text.subSequence(at, end).toString();
        at = end + 1;
        number++;
        if (line.endsWith("\r")) {
          line = line.substring(0, line.length() - 1);
        }
        if (!line.startsWith("%")) {
          return line;
        }
      }
      return null;
    }
  }
}
