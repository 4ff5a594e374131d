// Which Synap server a room lives on, when a community runs several: rendezvous
// (highest-random-weight) hashing, computed the same way by every client with no coordination.
// The exact specification, and a Python version of it, are in docs/multi-server.md.

const MASK_64 = 0xffff_ffff_ffff_ffffn;
/** 2^32, to split a product into 32-bit halves. */
const TWO_32 = 0x1_0000_0000;
/** MurmurHash3's fmix64 multipliers. */
const FMIX_1 = 0xff51_afd7_ed55_8ccdn;
const FMIX_2 = 0xc4ce_b9fe_1a85_ec53n;

const encoder = new TextEncoder();

/**
 * FNV-1a 64-bit over bytes, as an unsigned 64-bit integer: start from the offset basis
 * 0xcbf29ce484222325, then for each byte `hash = (hash XOR byte) * 0x100000001b3 mod 2^64`.
 * The hash is kept as two 32-bit halves (about four times faster than BigInt arithmetic): the
 * prime is 2^40 + 0x1b3, so the product is `hash * 0x1b3 + (hash << 40)`, and every partial
 * product stays below 2^53, where doubles are exact.
 */
export function fnv1a64(bytes: Uint8Array): bigint {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (const byte of bytes) {
    lo = (lo ^ byte) >>> 0;
    const low = lo * 0x1b3; // < 2^41
    // (hash << 40) adds lo << 8 to the high half and nothing to the low one.
    hi = (hi * 0x1b3 + Math.floor(low / TWO_32) + ((lo << 8) >>> 0)) >>> 0;
    lo = low >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** MurmurHash3's 64-bit finalizer: every input bit affects every output bit. */
export function fmix64(value: bigint): bigint {
  let k = value & MASK_64;
  k ^= k >> 33n;
  k = (k * FMIX_1) & MASK_64;
  k ^= k >> 33n;
  k = (k * FMIX_2) & MASK_64;
  k ^= k >> 33n;
  return k;
}

/**
 * The weight of a room on a server: fmix64(FNV-1a-64(UTF-8 of `serverKey + "\n" + stream))),
 * an unsigned 64-bit integer. `serverKey` is the server's URL as normalizeServerUrl returns it
 * (e.g. `http://localhost:15500`); `stream` is the room's stream name (e.g.
 * `chat-room-general`). Lone surrogates are encoded as U+FFFD, as TextEncoder does.
 */
export function weight(serverKey: string, stream: string): bigint {
  return fmix64(fnv1a64(encoder.encode(`${serverKey}\n${stream}`)));
}

/**
 * The server a room's stream lives on: the one with the highest weight; on equal weights, the
 * smaller key in UTF-16 code-unit order (plain `<` on strings). Keys must be normalised (see
 * weight); the order of the list does not matter and a repeated key counts once. Throws a
 * RangeError on an empty list: a validated server list always has at least one server.
 */
export function placeRoom(stream: string, servers: readonly string[]): string {
  let best: string | undefined;
  let bestWeight = -1n;
  for (const server of servers) {
    const w = weight(server, stream);
    if (w > bestWeight || (w === bestWeight && best !== undefined && server < best)) {
      best = server;
      bestWeight = w;
    }
  }
  if (best === undefined) throw new RangeError('placeRoom needs at least one server.');
  return best;
}
