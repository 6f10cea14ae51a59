package io.tideflow.core.model;

import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * A persistent hash map (a hash array mapped trie, 32-way): {@link #put} and {@link #remove} return
 * a new trie that shares all but the O(log32 n) nodes on the changed path with this one. Keys must
 * be immutable with a stable {@code hashCode}; neither keys nor values may be null.
 */
final class HashTrie<K, V> {
  private static final HashTrie<Object, Object> EMPTY = new HashTrie<>(null, 0);

  private sealed interface Node permits Branch, Leaf, Collision {}

  private record Leaf(int hash, Object key, Object value) implements Node {}

  private record Collision(int hash, Leaf[] leaves) implements Node {}

  private record Branch(int bitmap, Node[] children) implements Node {}

  private final Node root;
  private final int size;

  private HashTrie(Node root, int size) {
    this.root = root;
    this.size = size;
  }

  @SuppressWarnings("unchecked")
  static <K, V> HashTrie<K, V> empty() {
    return (HashTrie<K, V>) EMPTY;
  }

  int size() {
    return size;
  }

  private static int hash(Object key) {
    int h = key.hashCode();
    return h ^ (h >>> 16);
  }

  @SuppressWarnings("unchecked")
  V get(K key) {
    int hash = hash(key);
    Node n = root;
    int shift = 0;
    while (n != null) {
      if (n instanceof Branch b) {
        int bit = 1 << ((hash >>> shift) & 31);
        if ((b.bitmap & bit) == 0) {
          return null;
        }
        n = b.children[Integer.bitCount(b.bitmap & (bit - 1))];
        shift += 5;
      } else if (n instanceof Leaf l) {
        return l.hash == hash && l.key.equals(key) ? (V) l.value : null;
      } else {
        for (Leaf l : ((Collision) n).leaves) {
          if (l.key.equals(key)) {
            return (V) l.value;
          }
        }
        return null;
      }
    }
    return null;
  }

  HashTrie<K, V> put(K key, V value) {
    boolean[] added = new boolean[1];
    Node r = put(root, new Leaf(hash(key), key, value), 0, added);
    return new HashTrie<>(r, added[0] ? size + 1 : size);
  }

  HashTrie<K, V> remove(K key) {
    if (get(key) == null) {
      return this;
    }
    return new HashTrie<>(remove(root, hash(key), key, 0), size - 1);
  }

  @SuppressWarnings("unchecked")
  void forEach(BiConsumer<? super K, ? super V> action) {
    forEach(root, (BiConsumer<Object, Object>) action);
  }

  private static void forEach(Node n, BiConsumer<Object, Object> action) {
    switch (n) {
      case null -> {}
      case Leaf l -> action.accept(l.key, l.value);
      case Collision c -> {
        for (Leaf l : c.leaves) {
          action.accept(l.key, l.value);
        }
      }
      case Branch b -> {
        for (Node child : b.children) {
          forEach(child, action);
        }
      }
    }
  }

  private static int hashOf(Node n) {
    return n instanceof Leaf l ? l.hash : ((Collision) n).hash;
  }

  private static Node put(Node n, Leaf leaf, int shift, boolean[] added) {
    switch (n) {
      case null -> {
        added[0] = true;
        return leaf;
      }
      case Leaf l -> {
        if (l.hash == leaf.hash && l.key.equals(leaf.key)) {
          return leaf;
        }
        added[0] = true;
        return l.hash == leaf.hash
            ? new Collision(l.hash, new Leaf[] {l, leaf})
            : merge(l, leaf, shift);
      }
      case Collision c -> {
        if (c.hash != leaf.hash) {
          added[0] = true;
          return merge(c, leaf, shift);
        }
        for (int i = 0; i < c.leaves.length; i++) {
          if (c.leaves[i].key.equals(leaf.key)) {
            Leaf[] copy = c.leaves.clone();
            copy[i] = leaf;
            return new Collision(c.hash, copy);
          }
        }
        added[0] = true;
        Leaf[] copy = Arrays.copyOf(c.leaves, c.leaves.length + 1);
        copy[c.leaves.length] = leaf;
        return new Collision(c.hash, copy);
      }
      case Branch b -> {
        int bit = 1 << ((leaf.hash >>> shift) & 31);
        int idx = Integer.bitCount(b.bitmap & (bit - 1));
        if ((b.bitmap & bit) == 0) {
          added[0] = true;
          Node[] children = new Node[b.children.length + 1];
          System.arraycopy(b.children, 0, children, 0, idx);
          children[idx] = leaf;
          System.arraycopy(b.children, idx, children, idx + 1, b.children.length - idx);
          return new Branch(b.bitmap | bit, children);
        }
        Node[] children = b.children.clone();
        children[idx] = put(b.children[idx], leaf, shift + 5, added);
        return new Branch(b.bitmap, children);
      }
    }
  }

  /** Two nodes of different hashes under one parent: branch until their hash bits diverge. */
  private static Node merge(Node a, Leaf b, int shift) {
    int ia = (hashOf(a) >>> shift) & 31;
    int ib = (b.hash >>> shift) & 31;
    if (ia == ib) {
      return new Branch(1 << ia, new Node[] {merge(a, b, shift + 5)});
    }
    Node[] children = ia < ib ? new Node[] {a, b} : new Node[] {b, a};
    return new Branch((1 << ia) | (1 << ib), children);
  }

  private static Node remove(Node n, int hash, Object key, int shift) {
    switch (n) {
      case null -> {
        return null;
      }
      case Leaf l -> {
        return l.key.equals(key) ? null : l;
      }
      case Collision c -> {
        Leaf[] rest = Arrays.stream(c.leaves).filter(l -> !l.key.equals(key)).toArray(Leaf[]::new);
        return rest.length == 1 ? rest[0] : new Collision(c.hash, rest);
      }
      case Branch b -> {
        int bit = 1 << ((hash >>> shift) & 31);
        int idx = Integer.bitCount(b.bitmap & (bit - 1));
        Node child = remove(b.children[idx], hash, key, shift + 5);
        if (child != null) {
          Node[] children = b.children.clone();
          children[idx] = child;
          return new Branch(b.bitmap, children);
        }
        if (b.children.length == 1) {
          return null;
        }
        Node[] children = new Node[b.children.length - 1];
        System.arraycopy(b.children, 0, children, 0, idx);
        System.arraycopy(b.children, idx + 1, children, idx, children.length - idx);
        return new Branch(b.bitmap & ~bit, children);
      }
    }
  }
}
