package io.tideflow.bench.partition;

import io.tideflow.core.partition.Graph;
import java.util.SplittableRandom;

/**
 * The graphs the partitioner is measured on, generated from fixed seeds so every run (and gpmetis)
 * cuts the very same ones: 2-D grids, random geometric graphs (points in the unit square joined
 * within a radius, like meshes) and R-MAT graphs (skewed degrees, like communication graphs).
 */
public final class SampleGraphs {
  private SampleGraphs() {}

  /**
   * A {@code rows} × {@code cols} 4-neighbour grid; its k = 2 optimum is {@code min(rows, cols)}.
   */
  public static Graph grid(int rows, int cols) {
    Graph.Builder b = Graph.builder(rows * cols);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int v = r * cols + c;
        if (c + 1 < cols) {
          b.edge(v, v + 1, 1);
        }
        if (r + 1 < rows) {
          b.edge(v, v + cols, 1);
        }
      }
    }
    return b.build();
  }

  /**
   * {@code n} random points in the unit square, joined when closer than the radius that gives an
   * average degree of about {@code degree}.
   */
  public static Graph randomGeometric(int n, double degree, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextDouble();
      y[i] = r.nextDouble();
    }
    double radius = Math.sqrt(degree / (Math.PI * n));
    int cells = Math.max(1, (int) (1 / radius));
    // Bucket the points in cells of at least the radius, so only neighbouring cells are compared.
    int[] head = new int[cells * cells];
    int[] next = new int[n];
    java.util.Arrays.fill(head, -1);
    for (int i = 0; i < n; i++) {
      int c = cell(x[i], cells) * cells + cell(y[i], cells);
      next[i] = head[c];
      head[c] = i;
    }
    Graph.Builder b = Graph.builder(n);
    for (int i = 0; i < n; i++) {
      int cx = cell(x[i], cells);
      int cy = cell(y[i], cells);
      for (int dx = -1; dx <= 1; dx++) {
        for (int dy = -1; dy <= 1; dy++) {
          int ax = cx + dx;
          int ay = cy + dy;
          if (ax < 0 || ay < 0 || ax >= cells || ay >= cells) {
            continue;
          }
          for (int j = head[ax * cells + ay]; j != -1; j = next[j]) {
            if (j > i && Math.hypot(x[i] - x[j], y[i] - y[j]) < radius) {
              b.edge(i, j, 1);
            }
          }
        }
      }
    }
    return b.build();
  }

  private static int cell(double coordinate, int cells) {
    return Math.min(cells - 1, (int) (coordinate * cells));
  }

  /**
   * An R-MAT graph of {@code 2^scale} vertices and about {@code edgeFactor} edges per vertex
   * (Chakrabarti et al.; a = 0.57, b = c = 0.19, the Graph500 parameters), repeated edges merged
   * into one of their summed weight, self-loops dropped.
   */
  public static Graph rmat(int scale, int edgeFactor, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = 1 << scale;
    Graph.Builder b = Graph.builder(n);
    long edges = (long) n * edgeFactor;
    for (long e = 0; e < edges; e++) {
      int u = 0;
      int v = 0;
      for (int bit = 0; bit < scale; bit++) {
        double p = r.nextDouble();
        if (p < 0.57) {
          continue;
        } else if (p < 0.76) {
          v |= 1 << bit;
        } else if (p < 0.95) {
          u |= 1 << bit;
        } else {
          u |= 1 << bit;
          v |= 1 << bit;
        }
      }
      if (u != v) {
        b.edge(u, v, 1);
      }
    }
    return b.build();
  }
}
