/**
 * MRT files (RFC 6396), what route collectors are read by: {@link io.speakerkit.bgp.fsm.mrt.MrtUpdateDump} writes
 * received UPDATEs and session state changes as BGP4MP records (FRR's {@code dump bgp updates}), and
 * {@link io.speakerkit.bgp.fsm.mrt.MrtRibDump} writes RIB snapshots as TABLE_DUMP_V2 (the RIB files of RouteViews and
 * RIS). bgpdump and BGPStream read both.
 */
package io.speakerkit.bgp.fsm.mrt;
