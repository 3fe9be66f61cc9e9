/**
 * BGP capabilities (RFC 5492) carried in OPEN: one record per capability, {@link
 * io.speakerkit.bgp.wire.capability.UnknownCapability} for the rest, {@link
 * io.speakerkit.bgp.wire.capability.Capabilities} to read and write lists.
 */
package io.speakerkit.bgp.wire.capability;
