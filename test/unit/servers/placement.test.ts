import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fmix64, fnv1a64, placeRoom, weight } from '../../../src/lib/servers/placement';

const SERVERS = [
  'https://synap1.example.org',
  'https://synap2.example.org',
  'https://synap3.example.org',
];
const FOURTH = 'https://synap4.example.org';
const FIFTH = 'https://synap5.example.org';
/** Short, similar names: the case a weak hash spreads worst. */
const ROOMS = Array.from({ length: 10_000 }, (_, i) => `chat-room-${i}`);

/**
 * Worked out once with the Python reference of docs/multi-server.md (and the table there):
 * the weights of each room on SERVERS, in that order, and the server the room lives on.
 */
const GOLDEN: [stream: string, weights: [string, string, string], livesOn: string][] = [
  [
    'chat-room-general',
    ['63e2a9f8b3b60935', 'a549e1a680fe2cac', '602bd713785a8602'],
    'https://synap2.example.org',
  ],
  [
    'chat-room-lobby',
    ['1ea584de554562db', '21c7b259a01e4b90', 'f49fe6d2adfd1035'],
    'https://synap3.example.org',
  ],
  [
    'chat-room-off-topic',
    ['d6675715d46eae38', 'd31ede8eda868f61', '9ee5240e061b9a83'],
    'https://synap1.example.org',
  ],
  [
    'chat-room-café',
    ['744af337f199c290', '03685d4e33ca6f03', '3cbebf4ee6c91e42'],
    'https://synap1.example.org',
  ],
  [
    'chat-room-🎉',
    ['0b3887c908c8de7e', 'bc2c7e334be5b99d', '42c443e665894180'],
    'https://synap2.example.org',
  ],
  [
    'chat-room-مرحبا',
    ['538acb0af2f5881a', '949febc65659b588', 'c3982fbccda76ac5'],
    'https://synap3.example.org',
  ],
];

const hex = (value: bigint) => value.toString(16).padStart(16, '0');
const bytes = (text: string) => new TextEncoder().encode(text);

/** FNV-1a 64 written the obvious way, with BigInt: what the two-halves version must equal. */
function fnv1a64Reference(data: Uint8Array): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of data) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash;
}

/** A small deterministic generator (mulberry32), so "random" inputs are the same every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Room names mixing ASCII, accents, Arabic, CJK and emoji (well-formed UTF-16 only). */
function mixedNames(count: number, seed: number): string[] {
  const next = random(seed);
  const alphabet = [...'az09-_.~ éçüßمرحبا日本語🎉👍🏽🧑‍💻\u0301'];
  return Array.from({ length: count }, () => {
    const length = 1 + Math.floor(next() * 24);
    let name = 'chat-room-';
    for (let i = 0; i < length; i++) name += alphabet[Math.floor(next() * alphabet.length)];
    return name;
  });
}

function shares(rooms: readonly string[], servers: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>(servers.map((server) => [server, 0]));
  for (const room of rooms) {
    const server = placeRoom(room, servers);
    counts.set(server, (counts.get(server) ?? 0) + 1);
  }
  return new Map([...counts].map(([server, count]) => [server, count / rooms.length]));
}

describe('the placement hash', () => {
  it("gives FNV-1a 64's published test vectors", () => {
    expect(hex(fnv1a64(bytes('')))).toBe('cbf29ce484222325');
    expect(hex(fnv1a64(bytes('a')))).toBe('af63dc4c8601ec8c');
    expect(hex(fnv1a64(bytes('foobar')))).toBe('85944171f73967e8');
  });

  it('computes FNV-1a 64 in two 32-bit halves exactly as 64-bit BigInt arithmetic does', () => {
    const next = random(12);
    const inputs = [new Uint8Array(256).map((_, i) => i), new Uint8Array(1000).fill(0xff)];
    for (let n = 0; n < 500; n++) {
      inputs.push(new Uint8Array(Math.floor(next() * 80)).map(() => Math.floor(next() * 256)));
    }
    for (const input of inputs) expect(fnv1a64(input)).toBe(fnv1a64Reference(input));
  });

  it("finishes with MurmurHash3's fmix64, which keeps zero and spreads one flipped bit over about half the bits", () => {
    expect(fmix64(0n)).toBe(0n);
    const one = fmix64(1n);
    expect(one).not.toBe(1n);
    // Flipping one input bit changes about half of the 64 output bits.
    const flipped = (fmix64(1n ^ (1n << 40n)) ^ one).toString(2).replace(/0/g, '').length;
    expect(flipped).toBeGreaterThan(16);
    expect(flipped).toBeLessThan(48);
    // Worked out with Python's arbitrary-precision integers.
    expect(hex(one)).toBe('b456bcfc34c2cb2c');
    expect(hex(fmix64(0xcbf29ce484222325n))).toBe('efd01f60ba992926');
  });

  it('weighs each room on each server with the golden values of the docs', () => {
    for (const [stream, weights] of GOLDEN) {
      expect(SERVERS.map((server) => hex(weight(server, stream)))).toEqual(weights);
    }
    expect(hex(weight('http://localhost:15500', 'chat-room-general'))).toBe('4eba6db8c23f9109');
  });

  it('hashes the UTF-8 bytes of the server key, a line feed and the stream name', () => {
    const key = 'https://synap1.example.org';
    expect(weight(key, 'chat-room-مرحبا')).toBe(
      fmix64(fnv1a64Reference(bytes(`${key}\nchat-room-مرحبا`))),
    );
    // No Unicode normalisation: a composed and a decomposed "é" are two streams, two weights.
    expect(weight(key, 'chat-room-caf\u00e9')).not.toBe(weight(key, 'chat-room-cafe\u0301'));
    // A lone surrogate is encoded as U+FFFD, as TextEncoder does.
    expect(weight(key, 'chat-room-\ud83c')).toBe(weight(key, 'chat-room-\ufffd'));
  });

  it('agrees with the table of docs/multi-server.md', () => {
    const doc = readFileSync(new URL('../../../docs/multi-server.md', import.meta.url), 'utf8');
    const cells = (line: string) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/^`|`$/g, ''));
    const lines = doc.split('\n');
    const header = lines.find((line) => line.startsWith('| stream '));
    expect(header && cells(header).slice(1, 4)).toEqual(SERVERS);
    const rows = lines.filter((line) => line.startsWith('| `chat-room-')).map(cells);
    expect(rows).toEqual(GOLDEN.map(([stream, weights, livesOn]) => [stream, ...weights, livesOn]));
  });
});

describe('placeRoom', () => {
  it('puts each golden room on the server the docs name', () => {
    for (const [stream, , livesOn] of GOLDEN) expect(placeRoom(stream, SERVERS)).toBe(livesOn);
  });

  it('gives the same answer whatever the order of the server list', () => {
    const orders = [
      SERVERS,
      [...SERVERS].reverse(),
      [SERVERS[1]!, SERVERS[2]!, SERVERS[0]!],
      [SERVERS[2]!, SERVERS[0]!, SERVERS[1]!],
    ];
    for (const room of [...ROOMS.slice(0, 500), ...mixedNames(100, 5)]) {
      const places = orders.map((servers) => placeRoom(room, servers));
      expect(new Set(places).size).toBe(1);
    }
  });

  it('counts a server listed twice once', () => {
    for (const room of ROOMS.slice(0, 200)) {
      expect(placeRoom(room, [...SERVERS, SERVERS[0]!, SERVERS[2]!])).toBe(
        placeRoom(room, SERVERS),
      );
    }
  });

  it('puts every room on the only server when there is one, as before there could be several', () => {
    for (const room of ROOMS.slice(0, 100)) {
      expect(placeRoom(room, ['http://localhost:15500'])).toBe('http://localhost:15500');
    }
  });

  it('refuses an empty server list', () => {
    expect(() => placeRoom('chat-room-general', [])).toThrow(RangeError);
  });

  it('spreads 10,000 rooms over 3 servers within 3 points of a third each', () => {
    const split = shares(ROOMS, SERVERS);
    expect(split.size).toBe(3);
    for (const share of split.values()) expect(Math.abs(share - 1 / 3)).toBeLessThan(0.03);
  });

  it('spreads 10,000 rooms over 5 servers within 3 points of a fifth each', () => {
    const split = shares(ROOMS, [...SERVERS, FOURTH, FIFTH]);
    expect(split.size).toBe(5);
    for (const share of split.values()) expect(Math.abs(share - 1 / 5)).toBeLessThan(0.03);
  });

  it('spreads rooms with non-ASCII names, and servers on one host, as evenly', () => {
    const split = shares(mixedNames(10_000, 7), SERVERS);
    for (const share of split.values()) expect(Math.abs(share - 1 / 3)).toBeLessThan(0.03);
    const ports = ['http://localhost:15500', 'http://localhost:15501', 'http://localhost:15502'];
    for (const share of shares(ROOMS, ports).values()) {
      expect(Math.abs(share - 1 / 3)).toBeLessThan(0.03);
    }
  });

  it('moves about a quarter of the rooms when a 4th server joins 3, all of them to the new one', () => {
    let moved = 0;
    for (const room of ROOMS) {
      const before = placeRoom(room, SERVERS);
      const after = placeRoom(room, [...SERVERS, FOURTH]);
      if (after !== before) {
        moved++;
        expect(after).toBe(FOURTH);
      }
    }
    expect(moved / ROOMS.length).toBeGreaterThan(0.2);
    expect(moved / ROOMS.length).toBeLessThan(0.3);
  });

  it("moves only the removed server's rooms when a server leaves", () => {
    const removed = SERVERS[1]!;
    const remaining = SERVERS.filter((server) => server !== removed);
    let moved = 0;
    for (const room of ROOMS) {
      const before = placeRoom(room, SERVERS);
      const after = placeRoom(room, remaining);
      if (before === removed) moved++;
      else expect(after).toBe(before);
    }
    expect(moved).toBeGreaterThan(0);
  });
});

const python = spawnSync('python3', ['--version']).status === 0;

describe('the Python reference of docs/multi-server.md', () => {
  it.runIf(python)('computes the same weights and placements as the app', () => {
    const doc = readFileSync(new URL('../../../docs/multi-server.md', import.meta.url), 'utf8');
    const reference = /```python\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(reference).toContain('def place_room');
    const streams = [...GOLDEN.map(([stream]) => stream), ...mixedNames(300, 9)];
    const keys = [...SERVERS, 'http://localhost:15500', 'http://[::1]:15500/synap'];
    const driver =
      '\nimport json, sys\n' +
      'streams, keys = json.load(sys.stdin)\n' +
      'print(json.dumps([[format(weight(k, s), "016x") for k in keys] + [place_room(s, keys)]' +
      ' for s in streams]))\n';
    const run = spawnSync('python3', ['-c', `${reference}${driver}`], {
      input: JSON.stringify([streams, keys]),
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    const fromPython: unknown = JSON.parse(run.stdout);
    expect(fromPython).toEqual(
      streams.map((stream) => [
        ...keys.map((key) => hex(weight(key, stream))),
        placeRoom(stream, keys),
      ]),
    );
  });
});
