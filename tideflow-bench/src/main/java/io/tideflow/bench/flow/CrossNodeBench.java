package io.tideflow.bench.flow;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.tideflow.core.flow.Flow;
import io.tideflow.core.flow.ProcessSpec;
import io.tideflow.core.flow.Routing;
import io.tideflow.core.model.Resources;
import io.tideflow.runtime.flow.FlowExecution;
import io.tideflow.runtime.flow.FlowNode;
import io.tideflow.runtime.flow.FlowProcess;
import io.tideflow.runtime.flow.FlowProcesses;
import io.tideflow.runtime.flow.Message;
import io.tideflow.runtime.flow.Output;
import io.tideflow.runtime.flow.ProcessContext;
import io.tideflow.runtime.security.CallerRoles;
import io.tideflow.runtime.security.ClusterCa;
import io.tideflow.runtime.security.ClusterTls;
import io.tideflow.runtime.security.Identity;
import io.tideflow.runtime.security.LinkSecurity;
import io.tideflow.runtime.security.TlsFiles;
import io.tideflow.runtime.transport.WireLimits;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A source on one node and a sink on another, two JVMs on loopback: messages per second at the sink
 * with frames of up to 512 messages (batched) and of one (unbatched), then the latency from source
 * to sink at half the batched rate. The parent runs the source's node; each round starts the sink's
 * node as a child JVM, which measures and prints what it saw.
 *
 * <p>The same source and sink then run on Hazelcast Jet, a member in each JVM ({@link
 * JetCrossNode}), plaintext, as the peer; {@code --only} runs one of the two.
 *
 * <p>With {@code --tls}, the two nodes speak over mutual TLS 1.3, each with a certificate of a CA
 * made for the run, as a cluster across machines does; the in-node row is left out then.
 *
 * <pre>
 * CrossNodeBench [--rounds 3] [--warmup 3] [--seconds 5] [--tls] [--latency-rate MSGS_PER_S]
 *                [--only tideflow|jet] [--capacity MESSAGES]
 * </pre>
 */
public final class CrossNodeBench {
  private static final Resources CPU = Resources.of(100, 1 << 20);
  private static final Map<String, String> PLACEMENT = Map.of("source#0", "a", "sink#0", "b");

  private CrossNodeBench() {}

  /** The channel's capacity in messages, also its sender's credit window: 1,024 unless given. */
  static int capacity() {
    return Integer.getInteger(CAPACITY, 1024);
  }

  private static final String CAPACITY = "tideflow.bench.capacity";

  static Flow flow(long rate) {
    return Flow.builder("cross")
        .process(
            new ProcessSpec(
                "source", "timed", 1, CPU, List.of(), List.of("out"), Map.of("rate", "" + rate)))
        .process(new ProcessSpec("sink", "measure", 1, CPU, List.of("in"), List.of()))
        .connect("source.out", "sink.in", Routing.FORWARD, capacity())
        .build();
  }

  /** Numbered messages of 16 bytes carrying the time they were made, at a rate or flat out. */
  static final class Timed implements FlowProcess {
    private Output out;
    private long rate;
    private long started;
    private long sent;

    @Override
    public void open(ProcessContext context) {
      out = context.output("out");
      rate = Long.parseLong(context.property("rate", "0"));
      started = System.nanoTime();
    }

    @Override
    public boolean produce() throws InterruptedException {
      int turn = 256;
      if (rate > 0) {
        long due = (System.nanoTime() - started) * rate / 1_000_000_000L - sent;
        if (due <= 0) {
          LockSupport.parkNanos(20_000);
          return true;
        }
        turn = (int) Math.min(turn, due);
      }
      for (int i = 0; i < turn; i++) {
        byte[] payload = new byte[16];
        ByteBuffer.wrap(payload).putLong(sent++).putLong(System.nanoTime());
        out.emit(payload);
      }
      return true;
    }
  }

  /** Counts what arrives and, once told to, records how long each message took. */
  static final class Measure implements FlowProcess {
    static final AtomicLong RECEIVED = new AtomicLong();
    static final Recorder LATENCIES = new Recorder(TimeUnit.SECONDS.toNanos(10), 3);

    @Override
    public void onMessage(String port, Message message) {
      record(message.payload());
    }

    /** Counts a 16-byte message of {@link Timed}'s and records how long it took to come. */
    static void record(byte[] payload) {
      RECEIVED.incrementAndGet();
      long made = ByteBuffer.wrap(payload).getLong(8);
      LATENCIES.recordValue(
          Math.min(TimeUnit.SECONDS.toNanos(10), Math.max(0, System.nanoTime() - made)));
    }

    /** Messages per second and latencies over {@code seconds}, after {@code warmup}. */
    static String measure(int warmup, int seconds) throws InterruptedException {
      Thread.sleep(warmup * 1000L);
      LATENCIES.getIntervalHistogram();
      long r0 = RECEIVED.get();
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long r1 = RECEIVED.get();
      long t1 = System.nanoTime();
      Histogram h = LATENCIES.getIntervalHistogram();
      return String.format(
          Locale.ROOT,
          "%.0f|%s|%s",
          (r1 - r0) / ((t1 - t0) / 1e9),
          micros(h.getValueAtPercentile(50)),
          micros(h.getValueAtPercentile(99)));
    }
  }

  static FlowProcesses processes() {
    return FlowProcesses.builtins().with("timed", Timed::new).with("measure", Measure::new);
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--receive")) {
      receive(
          Integer.parseInt(args[1]),
          Integer.parseInt(args[2]),
          Long.parseLong(args[3]),
          args.length > 4 ? Path.of(args[4]) : null);
      return;
    }
    if (args.length > 0 && args[0].equals("--jet-member")) {
      JetCrossNode.member(
          args[1],
          Integer.parseInt(args[2]),
          Integer.parseInt(args[3]),
          Integer.parseInt(args[4]),
          Integer.parseInt(args[5]));
      return;
    }
    int rounds = 3;
    int warmup = 3;
    int seconds = 5;
    long latencyRate = 0;
    String only = "";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--tls" -> tlsDir = issueCertificates();
        case "--latency-rate" -> latencyRate = Long.parseLong(args[++i]);
        case "--capacity" -> System.setProperty(CAPACITY, "" + Integer.parseInt(args[++i]));
        case "--only" -> {
          only = args[++i];
          if (!only.equals("tideflow") && !only.equals("jet")) {
            throw new IllegalArgumentException("--only takes tideflow or jet, not " + only);
          }
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (tlsDir != null && only.equals("jet")) {
      throw new IllegalArgumentException(
          "--tls is for Tideflow's rows; the Jet rows are plaintext");
    }
    List<String> rows = new ArrayList<>();
    rows.add(
        "| cross-node, 2 JVMs on loopback"
            + (tlsDir == null ? "" : ", mutual TLS 1.3")
            + " | msgs/s at the sink (median) | range | p50 | p99 |");
    rows.add("| --- | --- | --- | --- | --- |");
    if (!only.equals("jet")) {
      tideflowRows(rows, rounds, warmup, seconds, latencyRate);
    }
    if (!only.equals("tideflow") && tlsDir == null) {
      jetRows(rows, rounds, warmup, seconds, latencyRate);
    }
    System.out.println();
    rows.forEach(System.out::println);
  }

  /** A round's figures: messages per second, p50, p99. */
  private interface Round {
    List<String> run(long rate) throws Exception;
  }

  /** The median of {@code rounds} flat-out rounds, with its range. */
  private static double[] rates(String what, int rounds, Round round) throws Exception {
    double[] rates = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      rates[r] = Double.parseDouble(round.run(0).get(0));
      System.out.printf(
          Locale.ROOT, "%s round %d/%d: %,.0f msgs/s%n", what, r + 1, rounds, rates[r]);
    }
    Arrays.sort(rates);
    return rates;
  }

  private static String rateRow(String what, double[] rates) {
    return String.format(
        Locale.ROOT,
        "| %s | %,.0f | %,.0f–%,.0f | | |",
        what,
        rates[rates.length / 2],
        rates[0],
        rates[rates.length - 1]);
  }

  /** The latency row at half the batched rate, or at a rate given, to compare runs at one load. */
  private static String latencyRow(String what, double median, long latencyRate, Round round)
      throws Exception {
    long rate = latencyRate > 0 ? latencyRate : (long) (median / 2);
    List<String> latency = round.run(rate);
    System.out.printf(Locale.ROOT, "%s at %,d msgs/s: %s%n", what, rate, latency);
    return String.format(
        Locale.ROOT,
        "| %s at %s (%,d msgs/s) | %,.0f | | %s | %s |",
        what,
        latencyRate > 0 ? "a fixed load" : "half load",
        rate,
        Double.parseDouble(latency.get(0)),
        latency.get(1),
        latency.get(2));
  }

  private static void tideflowRows(
      List<String> rows, int rounds, int warmup, int seconds, long latencyRate) throws Exception {
    double batched = 0;
    for (int batch : new int[] {FlowNode.MAX_BATCH, 1}) {
      double[] rates = rates("batch " + batch, rounds, rate -> round(batch, warmup, seconds, rate));
      if (batch > 1) {
        batched = rates[rounds / 2];
      }
      rows.add(
          rateRow(
              batch == 1
                  ? "unbatched (1 message a frame)"
                  : "batched (up to " + batch + " a frame)",
              rates));
    }
    if (tlsDir == null) {
      double[] inNode = rates("in-node", rounds, rate -> inNode(warmup, seconds, rate));
      rows.add(
          latencyRow(
              "in-node, same source and sink,",
              inNode[rounds / 2],
              0,
              rate -> inNode(warmup, seconds, rate)));
    }
    rows.add(
        latencyRow(
            "batched",
            batched,
            latencyRate,
            rate -> round(FlowNode.MAX_BATCH, warmup, seconds, rate)));
  }

  /** The same source and sink on Hazelcast Jet, a member in each JVM. */
  private static void jetRows(
      List<String> rows, int rounds, int warmup, int seconds, long latencyRate) throws Exception {
    double[] rates = rates("jet", rounds, rate -> JetCrossNode.round(warmup, seconds, rate));
    rows.add(rateRow("Hazelcast Jet 5.5, distributed edge", rates));
    rows.add(
        latencyRow(
            "Hazelcast Jet 5.5",
            rates[rounds / 2],
            latencyRate,
            rate -> JetCrossNode.round(warmup, seconds, rate)));
  }

  /** Where the run's certificates are, with {@code --tls}: {@code a/} and {@code b/}; else null. */
  private static Path tlsDir;

  /** A CA for this run and a node certificate each for a and b, in a temporary directory. */
  private static Path issueCertificates() throws Exception {
    Path dir = Files.createTempDirectory("tideflow-cross-node-tls");
    Instant now = Instant.now();
    ClusterCa ca = ClusterCa.create("tideflow", now, Duration.ofDays(1));
    for (String node : List.of("a", "b")) {
      ca.issue(Identity.Role.NODE, node, List.of("127.0.0.1"), now, Duration.ofDays(1))
          .save(dir.resolve(node));
    }
    return dir;
  }

  private static ClusterTls tls(Path dir, String node) {
    return ClusterTls.load(TlsFiles.in(dir.resolve(node)), Duration.ofHours(1));
  }

  /** The same flow with source and sink on one node, in this JVM. */
  private static List<String> inNode(int warmup, int seconds, long rate) throws Exception {
    try (FlowExecution e = FlowExecution.start(flow(rate), processes())) {
      return List.of(Measure.measure(warmup, seconds).split("\\|"));
    }
  }

  /** One round: the sink's node in a child JVM, the source's here. Returns the child's figures. */
  private static List<String> round(int batch, int warmup, int seconds, long rate)
      throws Exception {
    List<String> command = childCommand(false);
    command.addAll(List.of("--receive", "" + warmup, "" + seconds, "" + rate));
    if (tlsDir != null) {
      command.add(tlsDir.toString());
    }
    Process child =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      int port = Integer.parseInt(lines.readLine().substring("PORT ".length()));
      ClusterTls aTls = tlsDir == null ? null : tls(tlsDir, "a");
      NettyChannelBuilder builder =
          aTls == null
              ? NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
              : LinkSecurity.mutualTls(aTls).channel("b", "127.0.0.1:" + port);
      ManagedChannel channel =
          builder.directExecutor().maxInboundMessageSize(WireLimits.MAX_MESSAGE_BYTES).build();
      try (FlowNode a = new FlowNode("a", processes(), id -> channel, batch)) {
        a.start(flow(rate), PLACEMENT);
        String result = lines.readLine();
        if (result == null || !result.startsWith("RESULT ")) {
          throw new IllegalStateException("the receiving JVM said " + result);
        }
        return List.of(result.substring("RESULT ".length()).split("\\|"));
      } finally {
        channel.shutdownNow();
        if (aTls != null) {
          aTls.close();
        }
      }
    } finally {
      // It ends itself once it has said its figures; given the time, a recording it makes (JFR)
      // is written out.
      if (!child.waitFor(10, TimeUnit.SECONDS)) {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * The command that starts this class in a child JVM with this one's class path; for Hazelcast,
   * with the module access and common-pool size this JVM was given (Hazelcast asks for both).
   */
  static List<String> childCommand(boolean hazelcast) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx512m"));
    if (Runtime.version().feature() >= 24) {
      command.add("--sun-misc-unsafe-memory-access=allow");
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (hazelcast
          && (argument.startsWith("--add-") || argument.startsWith("-Djava.util.concurrent"))) {
        command.add(argument);
      }
    }
    command.add("-D" + CAPACITY + "=" + capacity());
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), CrossNodeBench.class.getName()));
    return command;
  }

  /** The child: the sink's node; prints its port, then after the window the rate and latencies. */
  private static void receive(int warmup, int seconds, long rate, Path tls) throws Exception {
    FlowNode b =
        new FlowNode(
            "b",
            processes(),
            id -> {
              throw new IllegalStateException("the sink's node opens no stream");
            });
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    if (tls != null) {
      builder = LinkSecurity.mutualTls(tls(tls, "b")).secure(builder);
    }
    Server server =
        builder
            .directExecutor()
            .maxInboundMessageSize(WireLimits.MAX_MESSAGE_BYTES)
            .addService(ServerInterceptors.intercept(b.service(), new CallerRoles()))
            .build()
            .start();
    b.start(flow(rate), PLACEMENT);
    System.out.println("PORT " + server.getPort());
    System.out.flush();
    System.out.println("RESULT " + Measure.measure(warmup, seconds));
    System.out.flush();
    server.shutdownNow();
    System.exit(0);
  }

  private static String micros(long nanos) {
    return String.format(Locale.ROOT, "%.0f µs", nanos / 1e3);
  }
}
