package io.speakerkit.examples.manifest;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * MetalLB {@code BGPPeer} (metallb.io/v1beta1 and v1beta2) as written; the speaker's {@code PeerConfig} applies
 * MetalLB's defaulting and range checks (see {@link ManifestMapper}).
 *
 * @param holdTime null when unset
 * @param keepaliveTime null when unset
 * @param peerAsn null when {@code dynamicASN} is used
 * @param dynamicAsn {@code internal}, {@code external}, or null
 * @param passwordSecret the {@code kubernetes.io/basic-auth} Secret holding the password (kind Secret; namespace as
 *     written, null when unset), or null
 */
public record BgpPeerSpec(
    ObjectRef ref,
    String apiVersion,
    long myAsn,
    Long peerAsn,
    String dynamicAsn,
    InetAddress peerAddress,
    int peerPort,
    InetAddress sourceAddress,
    Inet4Address routerId,
    Duration holdTime,
    Duration keepaliveTime,
    Duration connectTime,
    String password,
    ObjectRef passwordSecret,
    String bfdProfile,
    boolean ebgpMultiHop,
    boolean enableGracefulRestart,
    boolean dualStackAddressFamily,
    List<SelectorSpec> nodeSelectors) {

  public static final int DEFAULT_PORT = 179;
  private static final long MAX_ASN = 4294967295L;

  /** Whether the peering is iBGP (same AS, or dynamicASN internal). */
  public boolean internal() {
    return peerAsn != null ? peerAsn == myAsn : "internal".equals(dynamicAsn);
  }

  static BgpPeerSpec read(ObjectRef ref, String apiVersion, Node spec, Consumer<String> warnings) {
    Long myAsn = spec.integer("myASN", 1, MAX_ASN);
    if (myAsn == null) {
      throw spec.error("myASN", "required");
    }
    Long peerAsn = spec.integer("peerASN", 0, MAX_ASN);
    if (peerAsn != null && peerAsn == 0) {
      peerAsn = null; // MetalLB: Minimum=0, omitempty; 0 is unset (peerFromCR: "missing peer ASN and dynamicASN")
    }
    String dynamic = spec.string("dynamicASN");
    if (dynamic != null && !dynamic.isEmpty()) {
      if (!dynamic.equals("internal") && !dynamic.equals("external")) {
        throw spec.error("dynamicASN", "\"" + dynamic + "\" (expected: internal or external)");
      }
      if (peerAsn != null) {
        throw spec.error("dynamicASN", "cannot be set together with peerASN");
      }
    } else {
      dynamic = null;
      if (peerAsn == null) {
        throw spec.error("peerASN", "required (or dynamicASN: internal/external)");
      }
    }
    // What a library cannot do: refused with a message naming the field.
    String vrf = spec.string("vrf");
    if (vrf != null && !vrf.isEmpty()) {
      throw spec.error("vrf", "\"" + vrf + "\" not supported: binding sessions to a Linux VRF needs the host's"
          + " VRF devices, which an embedded speaker does not manage; run the speaker inside the VRF instead");
    }
    String iface = spec.string("interface");
    if (iface != null && !iface.isEmpty()) {
      throw spec.error("interface", "\"" + iface + "\" not supported: unnumbered BGP (peering over an interface's"
          + " IPv6 link-local neighbour) is not implemented; set peerAddress");
    }
    InetAddress peerAddress = spec.address("peerAddress");
    if (peerAddress == null) {
      throw spec.error("peerAddress", "required");
    }
    Long port = spec.integer("peerPort", 1, 16384);
    InetAddress source = spec.address("sourceAddress");
    InetAddress routerId = spec.address("routerID");
    if (routerId != null && !(routerId instanceof Inet4Address)) {
      throw spec.error("routerID", routerId.getHostAddress() + " (expected: an IPv4 address)");
    }

    Duration hold = spec.duration("holdTime", warnings);
    Duration keepalive = spec.duration("keepaliveTime", warnings);

    Duration connect = spec.duration("connectTime", warnings);

    String password = spec.string("password");
    if (password != null && (password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0)) {
      // MetalLB (peerFromCR): "password for peer ... contains invalid characters"
      throw spec.error("password", "contains a line break (expected: a password without \\n or \\r)");
    }
    ObjectRef passwordSecret = null;
    if (spec.has("passwordSecret")) {
      Object raw = spec.raw("passwordSecret");
      if (raw instanceof String s) {
        passwordSecret = new ObjectRef("Secret", null, s);
      } else {
        Node secret = spec.child("passwordSecret");
        String namespace = secret.string("namespace");
        String name = secret.string("name");
        // MetalLB reads the Secret only when PasswordSecret.Name != "": the Go type writes passwordSecret: {}
        passwordSecret = name == null || name.isEmpty() ? null
            : new ObjectRef("Secret", namespace == null || namespace.isEmpty() ? null : namespace, name);
      }
      if (passwordSecret != null && password != null && !password.isEmpty()) {
        throw spec.error("passwordSecret", "cannot be set together with password");
      }
    }
    boolean multiHop = spec.bool("ebgpMultiHop", false);
    if (spec.has("disableMP")) {
      spec.bool("disableMP", false);
      warnings.accept(ref + ": spec.disableMP: deprecated in MetalLB and ignored; use dualStackAddressFamily");
    }
    String bfd = spec.string("bfdProfile");
    return new BgpPeerSpec(
        ref,
        apiVersion,
        myAsn,
        peerAsn,
        dynamic,
        peerAddress,
        port == null ? DEFAULT_PORT : port.intValue(),
        source,
        (Inet4Address) routerId,
        hold,
        keepalive,
        connect,
        password == null || password.isEmpty() ? null : password,
        passwordSecret,
        bfd == null || bfd.isEmpty() ? null : bfd,
        multiHop,
        spec.bool("enableGracefulRestart", false),
        spec.bool("dualStackAddressFamily", false),
        SelectorSpec.readAll(spec, "nodeSelectors"));
  }
}
