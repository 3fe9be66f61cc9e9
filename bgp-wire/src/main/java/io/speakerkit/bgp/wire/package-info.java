/**
 * BGP-4 messages and their codec (RFC 4271 §4), zero-copy on Netty {@code ByteBuf}.
 *
 * <h2>Entry points</h2>
 *
 * <ul>
 *   <li>{@link io.speakerkit.bgp.wire.BgpFrameDecoder}: Netty handler, TCP bytes to {@link
 *       io.speakerkit.bgp.wire.BgpMessage}s; {@link io.speakerkit.bgp.wire.BgpFrameDecoder#next} is the same step as a
 *       pure function; {@link io.speakerkit.bgp.wire.BgpFraming} checks headers.
 *   <li>{@link io.speakerkit.bgp.wire.BgpMessageDecoder#decode}: one framed message to a message.
 *   <li>{@link io.speakerkit.bgp.wire.BgpMessageEncoder#encode}: any message into a caller buffer; {@link
 *       io.speakerkit.bgp.wire.BgpMessageEncoderHandler} is the Netty handler.
 *   <li>{@link io.speakerkit.bgp.wire.UpdateEncoder}: UPDATEs from pre-encoded {@link
 *       io.speakerkit.bgp.wire.attribute.PathAttributes}, packing prefixes, withdrawals, End-of-RIB.
 *   <li>{@link io.speakerkit.bgp.wire.OpenNegotiation}: the {@link io.speakerkit.bgp.wire.CodecContext} two OPENs
 *       negotiate, and the OPEN checks that need configuration.
 * </ul>
 *
 * <h2>Buffer ownership</h2>
 *
 * <ul>
 *   <li>Decoding never takes ownership of the buffer it is given, never moves its indices (except {@code
 *       BgpFrameDecoder.next}, which consumes what it decodes) and never reads outside the message's own bytes.
 *   <li>{@link io.speakerkit.bgp.wire.UpdateMessage} is the only decoded message that references a buffer; it is
 *       {@code ReferenceCounted}. From {@code BgpMessageDecoder.decode} it borrows the caller's frame and shares its
 *       count; from {@code BgpFrameDecoder} it holds one reference to the received buffer, counts its own, and must
 *       be released by its consumer (the message object is then reused). It pins that buffer: a direct one is read
 *       from its address ({@link io.speakerkit.bgp.wire.MessageBytes}), so the buffer must not be reallocated while
 *       the message lives. Views obtained from it (attributes, cursors, MP_REACH views, slices) are valid while it
 *       is, fail once it is released, and are never released separately.
 *   <li>Encoders write at the writer index of a caller-owned buffer and never retain or release it.
 * </ul>
 *
 * <h2>Errors</h2>
 *
 * Bad input ends in a {@link io.speakerkit.bgp.wire.BgpDecodeException} with the RFC 4271 §6 NOTIFICATION to send,
 * or, for UPDATE problems RFC 7606 answers more gently, in an {@link io.speakerkit.bgp.wire.ErrorAction} with
 * {@link io.speakerkit.bgp.wire.UpdateError} reasons on the decoded message. Nothing else is thrown for any input.
 */
package io.speakerkit.bgp.wire;
