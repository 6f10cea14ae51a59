package io.tideflow.cli.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP relay from one listening address to one upstream address, byte for byte in both directions.
 * Nodes bind loopback only, so a test that puts a node in a network namespace of its own bridges
 * the namespaces with relays over veth links, and then cuts a link: a relay does not notice (no
 * FIN, no RST), as neither end of a real path that died would. When the upstream cannot be reached,
 * the accepted connection is closed.
 *
 * <p>As a main class, for a relay inside a namespace ({@code ip netns exec NS java ...}): arguments
 * {@code LISTEN_HOST:PORT=UPSTREAM_HOST:PORT...}; prints {@value #READY} once all listen.
 */
final class TcpRelay implements AutoCloseable {
  static final String READY = "RELAY READY";

  private final ServerSocket listener;
  private final InetSocketAddress upstream;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  private TcpRelay(ServerSocket listener, InetSocketAddress upstream) {
    this.listener = listener;
    this.upstream = upstream;
  }

  /** Listens on {@code listen} ({@code host:port}) and relays to {@code upstream}. */
  static TcpRelay start(String listen, String upstream) {
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(address(listen), 64);
      TcpRelay relay = new TcpRelay(s, address(upstream));
      Thread.ofPlatform().daemon().name("relay-" + listen).start(relay::accept);
      return relay;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + listen, e);
    }
  }

  static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    try {
      return new InetSocketAddress(
          InetAddress.getByName(hostPort.substring(0, colon)),
          Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (IOException e) {
      throw new UncheckedIOException("bad address " + hostPort, e);
    }
  }

  private void accept() {
    while (!listener.isClosed()) {
      Socket down;
      try {
        down = listener.accept();
      } catch (SocketException e) {
        return; // closed by close(): the relay is done
      } catch (IOException e) {
        throw new UncheckedIOException("relay on " + listener + " failed", e);
      }
      sockets.add(down);
      Thread.ofVirtual().start(() -> connect(down));
    }
  }

  private void connect(Socket down) {
    Socket up = new Socket();
    sockets.add(up);
    try {
      up.connect(upstream, 5_000);
    } catch (IOException e) {
      // The upstream is cut off or gone: the caller sees its connection refused, as it would be.
      closeQuietly(down);
      closeQuietly(up);
      return;
    }
    Thread.ofVirtual().start(() -> pump(down, up));
    Thread.ofVirtual().start(() -> pump(up, down));
  }

  /** Copies {@code from} to {@code to} until either ends; then ends the other direction too. */
  private static void pump(Socket from, Socket to) {
    byte[] buffer = new byte[32 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // One side closed or reset: this pair is over, which closing both passes on.
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // Already closed or reset: nothing left to release.
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }

  public static void main(String[] args) throws Exception {
    List<TcpRelay> relays = new ArrayList<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 0) {
        System.err.println("usage: TcpRelay LISTEN_HOST:PORT=UPSTREAM_HOST:PORT...");
        System.exit(2);
      }
      relays.add(start(arg.substring(0, eq), arg.substring(eq + 1)));
    }
    System.out.println(READY + " " + String.join(" ", args));
    System.out.flush();
    new CountDownLatch(1).await(); // until killed
  }
}
