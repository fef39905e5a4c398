// A server-to-client WebSocket frame (RFC 6455 §5.2: final, unmasked, no extension bits) built once and
// written as it is to every client that takes it, instead of ws framing the same payload per client.

/** Opcodes of the data frames the server sends. */
export const OPCODE_TEXT = 0x1
export const OPCODE_BINARY = 0x2

/** A ping with no payload (final, opcode 9, unmasked): byte for byte what ws's `ping()` writes. */
export const PING_FRAME = Buffer.from([0x89, 0x00])

/**
 * The whole frame in one buffer: header and payload, so that each client costs one socket write (ws
 * writes a header and the payload per send, and encodes a string payload to UTF-8 again for each client).
 */
export function wireFrame(payload: Buffer | string): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload
  const opcode = typeof payload === 'string' ? OPCODE_TEXT : OPCODE_BINARY
  const length = data.length
  const headerBytes = length < 126 ? 2 : length < 65536 ? 4 : 10
  const frame = Buffer.allocUnsafeSlow(headerBytes + length)
  frame[0] = 0x80 | opcode
  if (length < 126) {
    frame[1] = length
  } else if (length < 65536) {
    frame[1] = 126
    frame.writeUInt16BE(length, 2)
  } else {
    frame[1] = 127
    // 64-bit length; a telemetry frame is far under 2^53.
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2)
    frame.writeUInt32BE(length >>> 0, 6)
  }
  data.copy(frame, headerBytes)
  return frame
}
