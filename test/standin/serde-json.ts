/**
 * JSON as Synap's Rust stack reads and writes it (serde_json behind axum's `Json` extractor).
 *
 * A client sees this in three places: the bytes stored for a published `data` value (REST
 * consume hands them back verbatim), the `data` of WebSocket event frames, and the plain-text
 * errors for a malformed publish body. `JSON.parse`/`JSON.stringify` differ from serde_json in
 * all three (number formatting, object key order, error texts), so this module ports the parts
 * of serde_json's parser and serializer that decide them.
 */

/** An integer serde_json keeps exactly: a u64, or a negative i64. */
export class JsonInt {
  constructor(readonly value: bigint) {}
}

/** A number serde_json holds as f64 (anything with a fraction or exponent, or out of integer range). */
export class JsonFloat {
  constructor(readonly value: number) {}
}

export type JsonValue =
  null | boolean | string | JsonInt | JsonFloat | JsonValue[] | Map<string, JsonValue>;

/** serde_json's error categories; axum answers 422 for `data` and 400 for the others. */
type Category = 'syntax' | 'eof' | 'data';

class SerdeError extends Error {
  /** serde_path_to_error's path, set by the innermost frame the error passed through. */
  path: string[] | undefined;
  constructor(
    readonly code: string,
    readonly category: Category,
    public line = 0,
    public column = 0,
  ) {
    super(code);
  }
  describe(): string {
    const where = this.line === 0 ? '' : ` at line ${this.line} column ${this.column}`;
    return `${this.code}${where}`;
  }
}

const RECURSION_LIMIT = 128;
const U64_MAX = (1n << 64n) - 1n;
const I32_MIN = -2147483648;
const I32_MAX = 2147483647;
// Rust's `u64 as f64` and `1eN` literals are correctly rounded, as are these.
const POW10: readonly number[] = Array.from({ length: 309 }, (_, i) => Number(`1e${i}`));

const EOF_VALUE = 'EOF while parsing a value';
const EOF_LIST = 'EOF while parsing a list';
const EOF_OBJECT = 'EOF while parsing an object';
const EOF_STRING = 'EOF while parsing a string';

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function isDigit(b: number | undefined): b is number {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

/** `a * 10 + digit` would exceed `max` (serde_json's `overflow!`). */
function overflows(a: bigint, digit: bigint, max: bigint): boolean {
  return a >= max / 10n && (a > max / 10n || digit > max % 10n);
}

function saturateI32(n: number): number {
  return Math.min(I32_MAX, Math.max(I32_MIN, n));
}

function hexValue(b: number | undefined): number | undefined {
  if (b === undefined) return undefined;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  return undefined;
}

function pushUtf8(codePoint: number, out: number[]): void {
  out.push(...Buffer.from(String.fromCodePoint(codePoint), 'utf8'));
}

/** Rust's `{:?}` for a str, as serde puts it in "invalid type: string ..." messages. */
function rustDebugString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp === 0) out += '\\0';
    else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}

function describeUnexpected(value: JsonValue | 'sequence' | 'map'): string {
  if (value === 'sequence' || value === 'map') return value;
  if (value === null) return 'null';
  if (typeof value === 'boolean') return `boolean \`${value}\``;
  if (typeof value === 'string') return `string ${rustDebugString(value)}`;
  if (value instanceof JsonInt) return `integer \`${value.value}\``;
  if (value instanceof JsonFloat) return `floating point \`${formatF64(value.value)}\``;
  return Array.isArray(value) ? 'sequence' : 'map';
}

function pathText(path: readonly string[]): string {
  let text = '';
  for (const segment of path) {
    if (segment.startsWith('[')) text += segment;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text;
}

/** Records `path` on an error passing outward unless a deeper frame already did. */
function withPath<T>(path: readonly string[], run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof SerdeError && err.path === undefined) err.path = [...path];
    throw err;
  }
}

/** Port of serde_json's slice deserializer: same consumption order, same error positions. */
class Deserializer {
  private index = 0;
  private remainingDepth = RECURSION_LIMIT;
  private path: string[] = [];

  constructor(private readonly bytes: Uint8Array) {}

  private peek(): number | undefined {
    return this.bytes[this.index];
  }

  private next(): number | undefined {
    const b = this.bytes[this.index];
    if (b !== undefined) this.index += 1;
    return b;
  }

  private eat(): void {
    this.index += 1;
  }

  private positionOf(i: number): { line: number; column: number } {
    let line = 1;
    let startOfLine = 0;
    for (let k = 0; k < i; k += 1) {
      if (this.bytes[k] === 0x0a) {
        line += 1;
        startOfLine = k + 1;
      }
    }
    return { line, column: i - startOfLine };
  }

  private categoryOf(code: string): Category {
    return code.startsWith('EOF while parsing') ? 'eof' : 'syntax';
  }

  /** Error about a byte already consumed. */
  private error(code: string): SerdeError {
    const { line, column } = this.positionOf(this.index);
    return new SerdeError(code, this.categoryOf(code), line, column);
  }

  /** Error about the byte under the cursor. */
  private peekError(code: string): SerdeError {
    const { line, column } = this.positionOf(Math.min(this.bytes.length, this.index + 1));
    return new SerdeError(code, this.categoryOf(code), line, column);
  }

  private custom(message: string): SerdeError {
    return new SerdeError(message, 'data');
  }

  /** Positions an error raised by a visitor (which knows no position) at the cursor. */
  private fixPosition(err: unknown): unknown {
    if (err instanceof SerdeError && err.line === 0) {
      const { line, column } = this.positionOf(this.index);
      err.line = line;
      err.column = column;
    }
    return err;
  }

  private whitespace(): number | undefined {
    for (;;) {
      const b = this.peek();
      if (b === 0x20 || b === 0x0a || b === 0x09 || b === 0x0d) this.eat();
      else return b;
    }
  }

  end(): void {
    if (this.whitespace() !== undefined) throw this.peekError('trailing characters');
  }

  private parseIdent(rest: string): void {
    for (let k = 0; k < rest.length; k += 1) {
      const b = this.next();
      if (b === undefined) throw this.error(EOF_VALUE);
      if (b !== rest.charCodeAt(k)) throw this.error('expected ident');
    }
  }

  // ---- numbers -------------------------------------------------------------------------

  private parseInteger(positive: boolean): JsonInt | JsonFloat {
    const first = this.next();
    if (first === undefined) throw this.error(EOF_VALUE);
    if (first === 0x30) {
      if (isDigit(this.peek())) throw this.peekError('invalid number');
      return this.parseNumber(positive, 0n);
    }
    if (first < 0x31 || first > 0x39) throw this.error('invalid number');
    let significand = BigInt(first - 0x30);
    for (;;) {
      const b = this.peek();
      if (!isDigit(b)) return this.parseNumber(positive, significand);
      const digit = BigInt(b - 0x30);
      if (overflows(significand, digit, U64_MAX)) {
        return new JsonFloat(this.parseLongInteger(positive, significand));
      }
      this.eat();
      significand = significand * 10n + digit;
    }
  }

  private parseNumber(positive: boolean, significand: bigint): JsonInt | JsonFloat {
    const b = this.peek();
    if (b === 0x2e) return new JsonFloat(this.parseDecimal(positive, significand, 0));
    if (b === 0x65 || b === 0x45) {
      return new JsonFloat(this.parseExponent(positive, significand, 0));
    }
    if (positive) return new JsonInt(significand);
    const negated = BigInt.asIntN(64, -BigInt.asIntN(64, significand));
    // Like serde_json: `-0` and anything below i64::MIN become floats.
    return negated >= 0n ? new JsonFloat(-Number(significand)) : new JsonInt(negated);
  }

  private parseDecimal(positive: boolean, start: bigint, exponentBefore: number): number {
    this.eat();
    let significand = start;
    let exponentAfter = 0;
    for (let b = this.peek(); isDigit(b); b = this.peek()) {
      const digit = BigInt(b - 0x30);
      if (overflows(significand, digit, U64_MAX)) {
        return this.parseDecimalOverflow(positive, significand, exponentBefore + exponentAfter);
      }
      this.eat();
      significand = significand * 10n + digit;
      exponentAfter -= 1;
    }
    if (exponentAfter === 0) {
      throw this.peekError(this.peek() === undefined ? EOF_VALUE : 'invalid number');
    }
    const exponent = exponentBefore + exponentAfter;
    const b = this.peek();
    if (b === 0x65 || b === 0x45) return this.parseExponent(positive, significand, exponent);
    return this.f64FromParts(positive, significand, exponent);
  }

  private parseExponent(positive: boolean, significand: bigint, startingExp: number): number {
    this.eat();
    let positiveExp = true;
    const sign = this.peek();
    if (sign === 0x2b) this.eat();
    else if (sign === 0x2d) {
      this.eat();
      positiveExp = false;
    }
    const first = this.next();
    if (first === undefined) throw this.error(EOF_VALUE);
    if (!isDigit(first)) throw this.error('invalid number');
    let exp = first - 0x30;
    for (let b = this.peek(); isDigit(b); b = this.peek()) {
      this.eat();
      const digit = b - 0x30;
      if (overflows(BigInt(exp), BigInt(digit), BigInt(I32_MAX))) {
        return this.parseExponentOverflow(positive, significand === 0n, positiveExp);
      }
      exp = exp * 10 + digit;
    }
    const finalExp = saturateI32(positiveExp ? startingExp + exp : startingExp - exp);
    return this.f64FromParts(positive, significand, finalExp);
  }

  private parseExponentOverflow(positive: boolean, zero: boolean, positiveExp: boolean): number {
    if (!zero && positiveExp) throw this.error('number out of range');
    while (isDigit(this.peek())) this.eat();
    return positive ? 0 : -0;
  }

  private parseLongInteger(positive: boolean, significand: bigint): number {
    let exponent = 0;
    for (;;) {
      const b = this.peek();
      if (isDigit(b)) {
        this.eat();
        exponent += 1;
      } else if (b === 0x2e) {
        return this.parseDecimal(positive, significand, exponent);
      } else if (b === 0x65 || b === 0x45) {
        return this.parseExponent(positive, significand, exponent);
      } else {
        return this.f64FromParts(positive, significand, exponent);
      }
    }
  }

  private parseDecimalOverflow(positive: boolean, significand: bigint, exponent: number): number {
    // Digits past u64 precision are dropped, as serde_json (without float_roundtrip) does.
    while (isDigit(this.peek())) this.eat();
    const b = this.peek();
    if (b === 0x65 || b === 0x45) return this.parseExponent(positive, significand, exponent);
    return this.f64FromParts(positive, significand, exponent);
  }

  /** serde_json's fast (not always correctly rounded) decimal-to-f64 step, reproduced bit for bit. */
  private f64FromParts(positive: boolean, significand: bigint, exponentIn: number): number {
    let f = Number(significand);
    let exponent = exponentIn;
    for (;;) {
      const index = exponent === I32_MIN ? Infinity : Math.abs(exponent);
      const pow = POW10[index];
      if (pow !== undefined) {
        if (exponent >= 0) {
          f *= pow;
          if (!Number.isFinite(f)) throw this.error('number out of range');
        } else {
          f /= pow;
        }
        break;
      }
      if (f === 0) break;
      if (exponent >= 0) throw this.error('number out of range');
      f /= 1e308;
      exponent += 308;
    }
    return positive ? f : -f;
  }

  // ---- strings -------------------------------------------------------------------------

  private decodeHexEscape(): number {
    if (this.index + 4 > this.bytes.length) {
      this.index = this.bytes.length;
      throw this.error(EOF_STRING);
    }
    let value = 0;
    let valid = true;
    for (let k = 0; k < 4; k += 1) {
      const digit = hexValue(this.bytes[this.index + k]);
      if (digit === undefined) valid = false;
      else value = value * 16 + digit;
    }
    this.index += 4;
    if (!valid) throw this.error('invalid escape');
    return value;
  }

  private parseUnicodeEscape(out: number[]): void {
    const n = this.decodeHexEscape();
    // serde_json reports a lone trailing surrogate with the "leading" wording too.
    if (n >= 0xdc00 && n <= 0xdfff) throw this.error('lone leading surrogate in hex escape');
    if (n < 0xd800 || n > 0xdbff) {
      pushUtf8(n, out);
      return;
    }
    for (const expected of [0x5c, 0x75]) {
      const b = this.peek();
      if (b === undefined) throw this.error(EOF_STRING);
      this.eat();
      if (b !== expected) throw this.error('unexpected end of hex escape');
    }
    const n2 = this.decodeHexEscape();
    if (n2 < 0xdc00 || n2 > 0xdfff) throw this.error('lone leading surrogate in hex escape');
    pushUtf8(((n - 0xd800) << 10) + (n2 - 0xdc00) + 0x10000, out);
  }

  private parseEscape(out: number[]): void {
    const ch = this.next();
    if (ch === undefined) throw this.error(EOF_STRING);
    const simple: Record<number, number> = {
      0x22: 0x22,
      0x5c: 0x5c,
      0x2f: 0x2f,
      0x62: 0x08,
      0x66: 0x0c,
      0x6e: 0x0a,
      0x72: 0x0d,
      0x74: 0x09,
    };
    const mapped = simple[ch];
    if (mapped !== undefined) out.push(mapped);
    else if (ch === 0x75) this.parseUnicodeEscape(out);
    else throw this.error('invalid escape');
  }

  /** Reads a string body (the opening quote already consumed), validating UTF-8. */
  private parseStr(): string {
    const scratch: number[] = [];
    let start = this.index;
    for (;;) {
      let b = this.bytes[this.index];
      while (b !== undefined && b !== 0x22 && b !== 0x5c && b >= 0x20) {
        this.index += 1;
        b = this.bytes[this.index];
      }
      if (b === undefined) throw this.error(EOF_STRING);
      if (b === 0x22) {
        const raw = this.bytes.subarray(start, this.index);
        const bytes = scratch.length === 0 ? raw : Uint8Array.from([...scratch, ...raw]);
        this.index += 1;
        try {
          return utf8Strict.decode(bytes);
        } catch {
          throw this.error('invalid unicode code point');
        }
      }
      if (b === 0x5c) {
        scratch.push(...this.bytes.subarray(start, this.index));
        this.index += 1;
        this.parseEscape(scratch);
        start = this.index;
        continue;
      }
      this.index += 1;
      throw this.error('control character (\\u0000-\\u001F) found while parsing a string');
    }
  }

  /** The non-validating string skip serde_json uses for ignored fields. */
  private ignoreStr(): void {
    for (;;) {
      let b = this.bytes[this.index];
      while (b !== undefined && b !== 0x22 && b !== 0x5c && b >= 0x20) {
        this.index += 1;
        b = this.bytes[this.index];
      }
      if (b === undefined) throw this.error(EOF_STRING);
      if (b === 0x22) {
        this.index += 1;
        return;
      }
      if (b === 0x5c) {
        this.index += 1;
        const ch = this.next();
        if (ch === undefined) throw this.error(EOF_STRING);
        if (ch === 0x75) this.decodeHexEscape();
        else if (![0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74].includes(ch)) {
          throw this.error('invalid escape');
        }
        continue;
      }
      throw this.error('control character (\\u0000-\\u001F) found while parsing a string');
    }
  }

  // ---- containers ----------------------------------------------------------------------

  private enterContainer<T>(visit: () => T, finish: () => void): T {
    this.remainingDepth -= 1;
    if (this.remainingDepth === 0) throw this.peekError('recursion limit exceeded');
    this.eat();
    let result: { ok: true; value: T } | { ok: false; err: unknown };
    try {
      result = { ok: true, value: visit() };
    } catch (err) {
      result = { ok: false, err };
    } finally {
      this.remainingDepth += 1;
    }
    // serde_json always runs the closing check, even after the visitor failed.
    let endErr: unknown;
    let endFailed = false;
    try {
      finish();
    } catch (err) {
      endErr = err;
      endFailed = true;
    }
    if (!result.ok) throw result.err;
    if (endFailed) throw endErr;
    return result.value;
  }

  private endSeq(): void {
    const b = this.whitespace();
    if (b === 0x5d) {
      this.eat();
      return;
    }
    if (b === 0x2c) {
      this.eat();
      throw this.peekError(this.whitespace() === 0x5d ? 'trailing comma' : 'trailing characters');
    }
    throw this.peekError(b === undefined ? EOF_LIST : 'trailing characters');
  }

  private endMap(): void {
    const b = this.whitespace();
    if (b === 0x7d) {
      this.eat();
      return;
    }
    if (b === 0x2c) throw this.peekError('trailing comma');
    throw this.peekError(b === undefined ? EOF_OBJECT : 'trailing characters');
  }

  private hasNextElement(state: { first: boolean }): boolean {
    const b = this.whitespace();
    if (b === undefined) throw this.peekError(EOF_LIST);
    if (b === 0x5d) return false;
    if (state.first) {
      state.first = false;
      return true;
    }
    if (b !== 0x2c) throw this.peekError('expected `,` or `]`');
    this.eat();
    const after = this.whitespace();
    if (after === 0x5d) throw this.peekError('trailing comma');
    if (after === undefined) throw this.peekError(EOF_VALUE);
    return true;
  }

  /** Next object key, or undefined at `}`; errors here belong to the enclosing path. */
  private nextKey(state: { first: boolean }): string | undefined {
    return withPath(this.path, () => {
      const b = this.whitespace();
      if (b === undefined) throw this.peekError(EOF_OBJECT);
      if (b === 0x7d) return undefined;
      if (state.first) {
        state.first = false;
        if (b !== 0x22) throw this.peekError('key must be a string');
      } else {
        if (b !== 0x2c) throw this.peekError('expected `,` or `}`');
        this.eat();
        const after = this.whitespace();
        if (after === 0x7d) throw this.peekError('trailing comma');
        if (after === undefined) throw this.peekError(EOF_VALUE);
        if (after !== 0x22) throw this.peekError('key must be a string');
      }
      this.eat();
      return this.parseStr();
    });
  }

  private nextValue<T>(key: string, read: () => T): T {
    return withPath(this.path, () => {
      const b = this.whitespace();
      if (b !== 0x3a) throw this.peekError(b === undefined ? EOF_OBJECT : 'expected `:`');
      this.eat();
      return this.inPath(key, read);
    });
  }

  private nextElement<T>(state: { first: boolean; index: number }, read: () => T): T | undefined {
    const more = withPath(this.path, () => this.hasNextElement(state));
    if (!more) return undefined;
    const index = state.index;
    state.index += 1;
    return this.inPath(`[${index}]`, read);
  }

  private inPath<T>(segment: string, read: () => T): T {
    this.path.push(segment);
    try {
      return withPath(this.path, read);
    } finally {
      this.path.pop();
    }
  }

  // ---- values --------------------------------------------------------------------------

  /** serde_json's `peek_invalid_type`: consumes the offending scalar to describe it. */
  private peekInvalidType(expected: string): unknown {
    const b = this.peek();
    let unexpected: JsonValue | 'sequence' | 'map';
    if (b === 0x6e) {
      this.eat();
      this.parseIdent('ull');
      unexpected = null;
    } else if (b === 0x74) {
      this.eat();
      this.parseIdent('rue');
      unexpected = true;
    } else if (b === 0x66) {
      this.eat();
      this.parseIdent('alse');
      unexpected = false;
    } else if (b === 0x2d) {
      this.eat();
      unexpected = this.parseInteger(false);
    } else if (isDigit(b)) {
      unexpected = this.parseInteger(true);
    } else if (b === 0x22) {
      this.eat();
      unexpected = this.parseStr();
    } else if (b === 0x5b) {
      unexpected = 'sequence';
    } else if (b === 0x7b) {
      unexpected = 'map';
    } else {
      return this.peekError('expected value');
    }
    return this.fixPosition(
      this.custom(`invalid type: ${describeUnexpected(unexpected)}, expected ${expected}`),
    );
  }

  readString(): string {
    const b = this.whitespace();
    if (b === undefined) throw this.peekError(EOF_VALUE);
    try {
      if (b !== 0x22) throw this.peekInvalidType('a string');
      this.eat();
      return this.parseStr();
    } catch (err) {
      throw this.fixPosition(err);
    }
  }

  readValue(): JsonValue {
    const b = this.whitespace();
    if (b === undefined) throw this.peekError(EOF_VALUE);
    try {
      return this.readValueAt(b);
    } catch (err) {
      throw this.fixPosition(err);
    }
  }

  private readValueAt(b: number): JsonValue {
    switch (b) {
      case 0x6e:
        this.eat();
        this.parseIdent('ull');
        return null;
      case 0x74:
        this.eat();
        this.parseIdent('rue');
        return true;
      case 0x66:
        this.eat();
        this.parseIdent('alse');
        return false;
      case 0x2d:
        this.eat();
        return this.parseInteger(false);
      case 0x22:
        this.eat();
        return this.parseStr();
      case 0x5b:
        return this.enterContainer(
          () => {
            const items: JsonValue[] = [];
            const state = { first: true, index: 0 };
            for (;;) {
              const item = this.nextElement(state, () => ({ v: this.readValue() }));
              if (item === undefined) return items;
              items.push(item.v);
            }
          },
          () => this.endSeq(),
        );
      case 0x7b:
        return this.enterContainer(
          () => {
            const entries = new Map<string, JsonValue>();
            const state = { first: true };
            for (let key = this.nextKey(state); key !== undefined; key = this.nextKey(state)) {
              const k = key;
              entries.set(
                k,
                this.nextValue(k, () => this.readValue()),
              );
            }
            return entries;
          },
          () => this.endMap(),
        );
      default:
        if (isDigit(b)) return this.parseInteger(true);
        throw this.peekError('expected value');
    }
  }

  /** serde_json's `ignore_value`, used for fields the target struct does not have. */
  ignoreValue(): void {
    const stack: number[] = [];
    let enclosing: number | undefined;
    for (;;) {
      const peek = this.whitespace();
      if (peek === undefined) throw this.peekError(EOF_VALUE);
      let frame: number | undefined;
      if (peek === 0x6e || peek === 0x74 || peek === 0x66) {
        this.eat();
        this.parseIdent(peek === 0x6e ? 'ull' : peek === 0x74 ? 'rue' : 'alse');
      } else if (peek === 0x2d || isDigit(peek)) {
        if (peek === 0x2d) this.eat();
        this.ignoreNumber();
      } else if (peek === 0x22) {
        this.eat();
        this.ignoreStr();
      } else if (peek === 0x5b || peek === 0x7b) {
        if (enclosing !== undefined) stack.push(enclosing);
        enclosing = undefined;
        this.eat();
        frame = peek;
      } else {
        throw this.peekError('expected value');
      }

      let acceptComma: boolean;
      let current: number;
      if (frame !== undefined) {
        acceptComma = false;
        current = frame;
      } else if (enclosing !== undefined) {
        acceptComma = true;
        current = enclosing;
        enclosing = undefined;
      } else {
        const popped = stack.pop();
        if (popped === undefined) return;
        acceptComma = true;
        current = popped;
      }

      for (;;) {
        const b = this.whitespace();
        const closes = (b === 0x5d && current === 0x5b) || (b === 0x7d && current === 0x7b);
        if (b === 0x2c && acceptComma) {
          this.eat();
          break;
        }
        if (b === undefined) throw this.peekError(current === 0x5b ? EOF_LIST : EOF_OBJECT);
        if (!closes) {
          if (acceptComma) {
            throw this.peekError(current === 0x5b ? 'expected `,` or `]`' : 'expected `,` or `}`');
          }
          break;
        }
        this.eat();
        const popped = stack.pop();
        if (popped === undefined) return;
        current = popped;
        acceptComma = true;
      }

      if (current === 0x7b) {
        const q = this.whitespace();
        if (q === undefined) throw this.peekError(EOF_OBJECT);
        if (q !== 0x22) throw this.peekError('key must be a string');
        this.eat();
        this.ignoreStr();
        const colon = this.whitespace();
        if (colon === undefined) throw this.peekError(EOF_OBJECT);
        if (colon !== 0x3a) throw this.peekError('expected `:`');
        this.eat();
      }
      enclosing = current;
    }
  }

  private ignoreNumber(): void {
    const first = this.next() ?? 0;
    if (first === 0x30) {
      if (isDigit(this.peek())) throw this.peekError('invalid number');
    } else if (first >= 0x31 && first <= 0x39) {
      while (isDigit(this.peek())) this.eat();
    } else {
      throw this.error('invalid number');
    }
    let b = this.peek();
    if (b === 0x2e) {
      this.eat();
      if (!isDigit(this.peek())) throw this.peekError('invalid number');
      while (isDigit(this.peek())) this.eat();
      b = this.peek();
    }
    if (b === 0x65 || b === 0x45) {
      this.eat();
      const sign = this.peek();
      if (sign === 0x2b || sign === 0x2d) this.eat();
      if (!isDigit(this.next() ?? 0)) throw this.error('invalid number');
      while (isDigit(this.peek())) this.eat();
    }
  }

  // ---- the publish request -------------------------------------------------------------

  /** `#[derive(Deserialize)] struct StreamPublishRequest { event: String, data: Value }`. */
  readPublishRequest(): { event: string; data: JsonValue } {
    const b = this.whitespace();
    if (b === undefined) throw this.peekError(EOF_VALUE);
    try {
      if (b === 0x5b)
        return this.enterContainer(
          () => this.visitSeq(),
          () => this.endSeq(),
        );
      if (b === 0x7b)
        return this.enterContainer(
          () => this.visitMap(),
          () => this.endMap(),
        );
      throw this.peekInvalidType('struct StreamPublishRequest');
    } catch (err) {
      throw this.fixPosition(err);
    }
  }

  private visitSeq(): { event: string; data: JsonValue } {
    const expected = 'struct StreamPublishRequest with 2 elements';
    const state = { first: true, index: 0 };
    const event = this.nextElement(state, () => ({ v: this.readString() }));
    if (event === undefined) throw this.custom(`invalid length 0, expected ${expected}`);
    const data = this.nextElement(state, () => ({ v: this.readValue() }));
    if (data === undefined) throw this.custom(`invalid length 1, expected ${expected}`);
    return { event: event.v, data: data.v };
  }

  private visitMap(): { event: string; data: JsonValue } {
    let event: { v: string } | undefined;
    let data: { v: JsonValue } | undefined;
    const state = { first: true };
    for (let key = this.nextKey(state); key !== undefined; key = this.nextKey(state)) {
      const k = key;
      if (k === 'event') {
        if (event) throw this.custom('duplicate field `event`');
        event = { v: this.nextValue(k, () => this.readString()) };
      } else if (k === 'data') {
        if (data) throw this.custom('duplicate field `data`');
        data = { v: this.nextValue(k, () => this.readValue()) };
      } else {
        this.nextValue(k, () => this.ignoreValue());
      }
    }
    if (!event) throw this.custom('missing field `event`');
    if (!data) throw this.custom('missing field `data`');
    return { event: event.v, data: data.v };
  }
}

export type PublishBody =
  { ok: true; event: string; data: JsonValue } | { ok: false; status: 400 | 422; message: string };

/** What axum's `Json<StreamPublishRequest>` makes of a body it has already accepted as JSON. */
export function parsePublishBody(bytes: Uint8Array): PublishBody {
  const de = new Deserializer(bytes);
  let request: { event: string; data: JsonValue };
  try {
    request = de.readPublishRequest();
  } catch (err) {
    if (!(err instanceof SerdeError)) throw err;
    const path = pathText(err.path ?? []);
    const detail = `${path === '' ? '' : `${path}: `}${err.describe()}`;
    return err.category === 'data'
      ? {
          ok: false,
          status: 422,
          message: `Failed to deserialize the JSON body into the target type: ${detail}`,
        }
      : { ok: false, status: 400, message: `Failed to parse the request body as JSON: ${detail}` };
  }
  try {
    de.end();
  } catch (err) {
    if (!(err instanceof SerdeError)) throw err;
    return {
      ok: false,
      status: 400,
      message: `Failed to parse the request body as JSON: ${err.describe()}`,
    };
  }
  return { ok: true, ...request };
}

/** `serde_json::from_slice::<Value>`, or undefined where serde_json would fail. */
export function parseJsonValue(bytes: Uint8Array): JsonValue | undefined {
  const de = new Deserializer(bytes);
  try {
    const value = de.readValue();
    de.end();
    return value;
  } catch (err) {
    if (err instanceof SerdeError) return undefined;
    throw err;
  }
}

/** An f64 as serde_json prints it (zmij: shortest round-trip digits, `e+N` outside 1e-5..1e16). */
export function formatF64(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const [mantissa = '', exponentText = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(exponentText);
  if (exp >= -5 && exp <= 15) {
    if (digits.length - 1 <= exp) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
    if (exp >= 0) return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
    return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  const scaled = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${scaled}e${exp >= 0 ? '+' : '-'}${Math.abs(exp)}`;
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Compact JSON text as serde_json writes a `Value`: object keys in byte order (its default
 * `BTreeMap`), floats always with a fraction or exponent, no whitespace, non-ASCII unescaped.
 */
export function serializeJson(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // serde_json escapes exactly what JSON.stringify escapes for well-formed strings.
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof JsonInt) return value.value.toString();
  if (value instanceof JsonFloat) return formatF64(value.value);
  if (Array.isArray(value)) return `[${value.map(serializeJson).join(',')}]`;
  const keys = [...value.keys()].sort(compareUtf8);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${serializeJson(value.get(k) ?? null)}`).join(',')}}`;
}
