/**
 * Path attributes (RFC 4271 §4.3, §5 and the RFCs of each attribute): values ({@link
 * io.speakerkit.bgp.wire.attribute.PathAttribute} records), the pre-encoded immutable set a speaker announces with
 * ({@link io.speakerkit.bgp.wire.attribute.PathAttributes}), and in-place views over received values ({@link
 * io.speakerkit.bgp.wire.attribute.AsPathView}, {@link io.speakerkit.bgp.wire.attribute.Uint32ListView}, {@link
 * io.speakerkit.bgp.wire.attribute.ExtendedCommunitiesView}, {@link
 * io.speakerkit.bgp.wire.attribute.LargeCommunitiesView}). Views never retain or release the buffer they read.
 */
package io.speakerkit.bgp.wire.attribute;
