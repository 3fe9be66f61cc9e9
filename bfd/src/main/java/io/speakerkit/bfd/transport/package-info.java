/**
 * BFD over UDP with Netty's epoll transport: RFC 5881 single-hop (port 3784, TTL 255 sent and required, the latter
 * by a BPF socket filter) and RFC 5883 multihop (port 4784, minimum TTL), IPv4 and IPv6.
 */
package io.speakerkit.bfd.transport;
