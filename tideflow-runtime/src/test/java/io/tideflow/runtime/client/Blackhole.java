package io.tideflow.runtime.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay to one upstream address that can be cut: from then on it reads and drops
 * everything in both directions and closes nothing, as a path that died without a FIN or RST looks
 * to both ends. Connections accepted after the cut are dropped the same way.
 */
final class Blackhole implements AutoCloseable {
  private final ServerSocket listener;
  private final String upstreamHost;
  private final int upstreamPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean cut;

  Blackhole(String upstream) throws IOException {
    int colon = upstream.lastIndexOf(':');
    this.upstreamHost = upstream.substring(0, colon);
    this.upstreamPort = Integer.parseInt(upstream.substring(colon + 1));
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("blackhole-accept").start(this::accept);
  }

  String address() {
    return "127.0.0.1:" + listener.getLocalPort();
  }

  void cut() {
    cut = true;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket down = listener.accept();
        sockets.add(down);
        if (cut) {
          Thread.ofVirtual().start(() -> pump(down, null));
          continue;
        }
        Socket up = new Socket(upstreamHost, upstreamPort);
        sockets.add(up);
        Thread.ofVirtual().start(() -> pump(down, up));
        Thread.ofVirtual().start(() -> pump(up, down));
      } catch (SocketException e) {
        return; // closed by close(): the relay is done
      } catch (IOException e) {
        throw new IllegalStateException("blackhole relay failed", e);
      }
    }
  }

  /** Copies {@code from} to {@code to} until cut, then drops what it reads; null drops at once. */
  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to == null ? null : to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (!cut && out != null) {
          out.write(buffer, 0, n);
          out.flush();
        }
      }
    } catch (IOException e) {
      // A socket closed by close() or by the far end: this direction is over, nothing to report.
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
