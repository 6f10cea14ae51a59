package io.tideflow.runtime.flow;

import io.tideflow.core.flow.KeyGroups;
import io.tideflow.core.flow.Routing;
import io.tideflow.runtime.transport.WireLimits;
import java.util.List;

/** An instance's output port: every connection leaving it, each routing to its channels. */
final class OutputPort implements Output {
  /** One connection from this port: its channels indexed by receiving instance. */
  static final class Route {
    final Routing routing;
    final int keyGroups;
    final Link[] links;
    private int next;

    Route(Routing routing, int keyGroups, Link[] links) {
      this.routing = routing;
      this.keyGroups = keyGroups;
      this.links = links;
    }
  }

  private final InstanceRunner owner;
  private final String name;
  private final Route[] routes;
  private final boolean keyed;

  OutputPort(InstanceRunner owner, String name, List<Route> routes) {
    this.owner = owner;
    this.name = name;
    this.routes = routes.toArray(Route[]::new);
    this.keyed = routes.stream().anyMatch(r -> r.routing == Routing.KEYED);
  }

  @Override
  public void emit(byte[] payload) throws InterruptedException {
    if (keyed) {
      throw new IllegalStateException(
          "port " + owner.process() + "." + name + " feeds a keyed connection: emit with a key");
    }
    emit(0L, payload);
  }

  @Override
  public void emit(long key, byte[] payload) throws InterruptedException {
    if (payload.length > WireLimits.MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException(
          "port "
              + owner.process()
              + "."
              + name
              + ": a payload of "
              + payload.length
              + " bytes is over the limit of "
              + WireLimits.MAX_PAYLOAD_BYTES);
    }
    Message message = new Message(key, payload);
    for (Route r : routes) {
      Link[] links = r.links;
      switch (r.routing) {
        case FORWARD -> owner.send(links[0], message);
        case ROUND_ROBIN -> {
          int i = r.next;
          r.next = i + 1 == links.length ? 0 : i + 1;
          owner.send(links[i], message);
        }
        case KEYED ->
            owner.send(links[KeyGroups.instanceOfKey(key, r.keyGroups, links.length)], message);
        case BROADCAST -> {
          for (Link l : links) {
            owner.send(l, message);
          }
        }
      }
    }
  }

  /** Ends every channel of this port: the receivers have seen all of it. */
  void end() {
    for (Route r : routes) {
      for (Link l : r.links) {
        l.ended = true;
        l.consumer.wake();
      }
    }
  }
}
