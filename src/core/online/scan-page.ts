/**
 * Reads a Scan answer of a Feast online table straight from its bytes into {@link ParsedItem}s
 * (architecture.md §4.9). The general path (JSON.parse, then the SDK's AttributeValue shapes, then
 * parseItem) builds some twenty objects and a base64 string per item and was the whole cost of a scan:
 * with it, 8 segments scanned no faster than 2 on the 8 ms model (bench/scan.bench.ts). This reader
 * walks the JSON once, makes only what a parsed item holds, decodes each value's base64 into shared
 * buffers, and hands items on in batches as it reads them.
 *
 * It reads only what it fully understands: an item whose Feast attributes have another shape (a
 * non-Feast table), a string with escapes, or a timestamp in another form is read by the general path
 * (JSON.parse of that item's text), which reads it or refuses it with the precise error. The answer's
 * other attributes (LastEvaluatedKey, ConsumedCapacity) are small and read by JSON.parse.
 */
import { Buffer } from 'node:buffer';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { parseEventTs } from '../layout/event-ts.js';
import { ENTITY_ID_ATTR, EVENT_TS_ATTR, VALUES_ATTR, type ParsedItem } from '../layout/item.js';
import { itemFromJson } from './lean-batch-get.js';
import { ownRecord } from '../util/own-record.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const S = 0x53;
const B = 0x42;
/** Bytes of decoded values per buffer (a page holds a few hundred KB of them). */
const OUT_CHUNK = 64 * 1024;
const EMPTY = new Uint8Array(0);
/** Bytes a value read in one pass ({@link Reader.compactBytes}) may take; a longer one is read in two. */
const COMPACT_ROOM = 1024;

/** base64 alphabet → 6 bits; 64 for '=', 255 for anything else. */
const BASE64 = new Uint8Array(256).fill(255);
for (let i = 0; i < 64; i++) BASE64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;
BASE64[0x3d] = 64;

/**
 * Bytes [s, e) as Latin-1 text: Buffer's own slice method when this Node has it (toString's encoding
 * lookup cost ~4% of a page's reading), else toString.
 */
const latin1Slice = (Buffer.prototype as { latin1Slice?: (this: Buffer, s: number, e: number) => string }).latin1Slice;
const latin1: (b: Buffer, s: number, e: number) => string =
  typeof latin1Slice === 'function' ? (b, s, e) => latin1Slice.call(b, s, e) : (b, s, e) => b.toString('latin1', s, e);

/** Thrown inside the reader for anything it does not read; never escapes {@link FeastScanPageReader}. */
const notHere = new Error('not read here');

// ignoreBOM: a name may begin with U+FEFF, which is part of it, not a byte-order mark
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class Reader {
  pos = 0;
  /** The last string read: [s, e) of its bytes (fields, not a returned pair: no allocation per string). */
  s = 0;
  e = 0;
  /** Decoded values go into chunks of this; each value is a view into one. */
  private out: Uint8Array = EMPTY;
  private outPos = 0;
  private lastTsStart = -1;
  private lastTsEnd = -1;
  private lastTs = '';
  lastMicros = 0n;
  /** Feature names seen on this page (a table has few): bytes compared, the string reused. */
  private names: { bytes: Uint8Array; name: string }[] = [];

  constructor(private readonly b: Buffer) {}

  ws(): void {
    const b = this.b;
    let p = this.pos;
    for (;;) {
      const c = b[p];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  expect(c: number): void {
    // (whitespace is looked for only where the byte is not the one expected: DynamoDB sends none)
    if (this.b[this.pos] !== c) {
      this.ws();
      if (this.b[this.pos] !== c) throw notHere;
    }
    this.pos++;
  }

  /** After a member or element: true when another follows (a comma), false at `close`. */
  more(close: number): boolean {
    let c = this.b[this.pos];
    if (c !== COMMA && c !== close) {
      this.ws();
      c = this.b[this.pos];
    }
    if (c === COMMA) {
      this.pos++;
      return true;
    }
    if (c === close) {
      this.pos++;
      return false;
    }
    throw notHere;
  }

  /** A string without escapes: its bytes are [this.s, this.e). */
  rawString(): void {
    this.expect(QUOTE);
    const b = this.b;
    const start = this.pos;
    let end = start;
    let high = 0;
    for (;;) {
      const c = b[end];
      if (c === QUOTE) break;
      // an escape: leave the page to JSON.parse, which reads every escape; undefined: the answer ends
      if (c === BACKSLASH || c === undefined) throw notHere;
      high |= c;
      end++;
    }
    this.pos = end + 1;
    this.s = start;
    this.e = end;
    this.ascii = high < 0x80;
  }

  /** Whether the last string read is all ASCII. */
  ascii = true;

  /** The last string read, as text. */
  text(): string {
    const b = this.b;
    if (this.ascii) return latin1(b, this.s, this.e);
    try {
      return utf8.decode(b.subarray(this.s, this.e));
    } catch {
      throw notHere; // not UTF-8: the general path reads it as it always has
    }
  }

  /** A key (its bytes [this.s, this.e)) and its colon. */
  key(): void {
    // the compact form, `"…":`, read in one pass
    if (this.b[this.pos] === QUOTE && this.compactString(this.pos + 1, COLON)) return;
    this.rawString();
    this.expect(COLON);
  }

  /**
   * The compact form's string whose text begins at `start`: true, and read (its bytes in [this.s,
   * this.e), the reader after `then`), when its closing quote comes before any escape and `then` follows
   * it; false, and nothing read, otherwise.
   */
  compactString(start: number, then: number): boolean {
    const b = this.b;
    let end = start;
    let high = 0;
    for (;;) {
      const c = b[end];
      if (c === QUOTE || c === BACKSLASH || c === undefined) break;
      high |= c;
      end++;
    }
    if (b[end] !== QUOTE || b[end + 1] !== then) return false;
    this.s = start;
    this.e = end;
    this.pos = end + 2;
    this.ascii = high < 0x80;
    return true;
  }

  /** Whether the last string read is `name` (ASCII). */
  is(name: string): boolean {
    const len = this.e - this.s;
    if (len !== name.length) return false;
    const b = this.b;
    const s = this.s;
    for (let i = 0; i < len; i++) if (b[s + i] !== name.charCodeAt(i)) return false;
    return true;
  }

  /** Skips any JSON value, returning where it began. */
  skip(): number {
    this.ws();
    const start = this.pos;
    const b = this.b;
    const c = b[this.pos];
    if (c === QUOTE) {
      // a string, escapes included
      let p = this.pos + 1;
      for (;;) {
        const q = b.indexOf(QUOTE, p);
        if (q < 0) throw notHere;
        let slashes = 0;
        for (let i = q - 1; b[i] === BACKSLASH; i--) slashes++;
        p = q + 1;
        if (slashes % 2 === 0) break;
      }
      this.pos = p;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const close = c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
      this.pos++;
      this.ws();
      if (b[this.pos] === close) {
        this.pos++;
        return start;
      }
      do {
        if (c === OPEN_OBJECT) {
          this.skip();
          this.expect(COLON);
        }
        this.skip();
      } while (this.more(close));
    } else {
      // number, true, false, null
      let p = this.pos;
      while (p < b.length) {
        const d = b[p];
        if (d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
        p++;
      }
      if (p === this.pos) throw notHere;
      this.pos = p;
    }
    return start;
  }

  /** A value read by JSON.parse (the answer's small attributes). */
  parsed(): unknown {
    const start = this.skip();
    return JSON.parse(this.b.toString('utf8', start, this.pos));
  }

  /** `{"<kind>": "<string>"}`, the string's bytes left in [this.s, this.e); anything else is not read here. */
  typed(kind: number): void {
    // DynamoDB's own compact form, `{"K":"…"}` without escapes, read in one pass
    const b = this.b;
    const p = this.pos;
    const compact = b[p] === OPEN_OBJECT && b[p + 1] === QUOTE && b[p + 2] === kind && b[p + 3] === QUOTE && b[p + 4] === COLON && b[p + 5] === QUOTE;
    if (compact && this.compactString(p + 6, CLOSE_OBJECT)) return;
    this.expect(OPEN_OBJECT);
    this.key();
    if (this.e - this.s !== 1 || this.b[this.s] !== kind) throw notHere;
    this.rawString();
    this.expect(CLOSE_OBJECT);
  }

  /** Where the next name lookup starts: items list their features in the same order, so it matches first. */
  private nameCursor = 0;

  name(s: number, e: number): string {
    const b = this.b;
    const len = e - s;
    const names = this.names;
    for (let j = 0, idx = this.nameCursor; j < names.length; j++, idx = idx + 1 === names.length ? 0 : idx + 1) {
      const n = names[idx];
      if (n === undefined || n.bytes.length !== len) continue;
      let same = true;
      for (let i = 0; i < len; i++) {
        if (n.bytes[i] !== b[s + i]) {
          same = false;
          break;
        }
      }
      if (same) {
        this.nameCursor = idx + 1 === names.length ? 0 : idx + 1;
        return n.name;
      }
    }
    const name = this.text();
    names.push({ bytes: Uint8Array.prototype.slice.call(b, s, e), name });
    this.nameCursor = 0;
    return name;
  }

  /**
   * Whether the event_ts at the reader is `{"S":"…"}` in the compact form with the text the last one
   * had (items written together share it); if so it is read. Else nothing is.
   */
  sameEventTs(): boolean {
    const b = this.b;
    const p = this.pos;
    const from = this.lastTsStart;
    const len = this.lastTsEnd - from;
    if (from < 0 || b[p] !== OPEN_OBJECT || b[p + 1] !== QUOTE || b[p + 2] !== S || b[p + 3] !== QUOTE || b[p + 4] !== COLON || b[p + 5] !== QUOTE)
      return false;
    const at = p + 6;
    for (let i = 0; i < len; i++) if (b[at + i] !== b[from + i]) return false;
    if (b[at + len] !== QUOTE || b[at + len + 1] !== CLOSE_OBJECT) return false;
    this.pos = at + len + 2;
    return true;
  }

  /**
   * The event_ts string at [s, e) (an item's whose text differs from the last one's, or in another form
   * than the compact one: {@link sameEventTs} reads the rest): its text and microseconds are left in
   * lastTs and lastMicros, and only once it has parsed, so a repeat never pairs one's text with
   * another's time.
   */
  eventTs(s: number, e: number): void {
    const text = this.text();
    let micros: bigint;
    try {
      micros = parseEventTs(text);
    } catch {
      throw notHere; // the general path refuses it, naming the table
    }
    this.lastTs = text;
    this.lastMicros = micros;
    this.lastTsStart = s;
    this.lastTsEnd = e;
  }

  /** base64 [s, e) into the page's value buffer; a view of the bytes. */
  base64(s: number, e: number): Uint8Array {
    const b = this.b;
    if ((e - s) % 4 !== 0) throw notHere;
    if (this.outPos + ((e - s) >> 2) * 3 > this.out.length) {
      this.out = new Uint8Array(Math.max(OUT_CHUNK, ((e - s) >> 2) * 3));
      this.outPos = 0;
    }
    const out = this.out;
    const from = this.outPos;
    let o = from;
    // (every index is inside the answer; the `as number`s only satisfy the type checker)
    for (let i = s; i < e; i += 4) {
      const c0 = BASE64[b[i] as number] as number;
      const c1 = BASE64[b[i + 1] as number] as number;
      const c2 = BASE64[b[i + 2] as number] as number;
      const c3 = BASE64[b[i + 3] as number] as number;
      if ((c0 | c1 | c2 | c3) > 63) {
        // padding ('=' is 64) only at the very end: "xx==" or "xxx="; anything else is not base64
        if (i + 4 !== e || c0 > 63 || c1 > 63 || c3 !== 64 || (c2 > 63 && c2 !== 64)) throw notHere;
        out[o++] = (c0 << 2) | (c1 >> 4);
        if (c2 !== 64) out[o++] = ((c1 & 15) << 4) | (c2 >> 2);
        break;
      }
      out[o++] = (c0 << 2) | (c1 >> 4);
      out[o++] = ((c1 & 15) << 4) | (c2 >> 2);
      out[o++] = ((c2 & 3) << 6) | c3;
    }
    this.outPos = o;
    return out.subarray(from, o);
  }

  /**
   * `{"B":"<base64>"}` in DynamoDB's compact form, decoded in the pass that finds its end; undefined
   * (nothing read) for any other form, a long value or a doubt, which {@link typed} and {@link base64}
   * then read or refuse.
   */
  compactBytes(): Uint8Array | undefined {
    const b = this.b;
    const p = this.pos;
    if (b[p] !== OPEN_OBJECT || b[p + 1] !== QUOTE || b[p + 2] !== B || b[p + 3] !== QUOTE || b[p + 4] !== COLON || b[p + 5] !== QUOTE) return undefined;
    if (this.out.length - this.outPos < COMPACT_ROOM) {
      this.out = new Uint8Array(OUT_CHUNK);
      this.outPos = 0;
    }
    const out = this.out;
    const from = this.outPos;
    const room = from + COMPACT_ROOM;
    let o = from;
    let i = p + 6;
    // whole quads; BASE64 gives 255 for the closing quote and for a byte past the answer's end (?? 0)
    for (;;) {
      const c0 = BASE64[b[i] ?? 0] as number;
      const c1 = BASE64[b[i + 1] ?? 0] as number;
      const c2 = BASE64[b[i + 2] ?? 0] as number;
      const c3 = BASE64[b[i + 3] ?? 0] as number;
      if ((c0 | c1 | c2 | c3) > 63) break;
      if (o + 3 > room) return undefined;
      out[o++] = (c0 << 2) | (c1 >> 4);
      out[o++] = ((c1 & 15) << 4) | (c2 >> 2);
      out[o++] = ((c2 & 3) << 6) | c3;
      i += 4;
    }
    if (b[i] !== QUOTE) {
      // a last quad with padding, "xx==" or "xxx=", then the quote; anything else is read the long way
      const c0 = BASE64[b[i] ?? 0] as number;
      const c1 = BASE64[b[i + 1] ?? 0] as number;
      const c2 = BASE64[b[i + 2] ?? 0] as number;
      if (c0 > 63 || c1 > 63 || b[i + 3] !== 0x3d || b[i + 4] !== QUOTE || o + 2 > room) return undefined;
      out[o++] = (c0 << 2) | (c1 >> 4);
      if (c2 <= 63) out[o++] = ((c1 & 15) << 4) | (c2 >> 2);
      else if (c2 !== 64) return undefined;
      i += 4;
    }
    if (b[i + 1] !== CLOSE_OBJECT) return undefined;
    this.pos = i + 2;
    this.outPos = o;
    return out.subarray(from, o);
  }

  item(): ParsedItem {
    this.expect(OPEN_OBJECT);
    let entityId: string | undefined;
    let eventTs: string | undefined;
    let eventMicros = 0n;
    let values: Record<string, Uint8Array> | undefined;
    this.ws();
    if (this.b[this.pos] === CLOSE_OBJECT) throw notHere;
    do {
      this.key();
      if (this.is(ENTITY_ID_ATTR)) {
        this.typed(S);
        entityId = this.text();
      } else if (this.is(EVENT_TS_ATTR)) {
        if (!this.sameEventTs()) {
          this.typed(S);
          this.eventTs(this.s, this.e);
        }
        eventTs = this.lastTs;
        eventMicros = this.lastMicros;
      } else if (this.is(VALUES_ATTR)) {
        values = this.values();
      } else {
        this.skip();
      }
    } while (this.more(CLOSE_OBJECT));
    if (entityId === undefined || eventTs === undefined) throw notHere;
    return { entityId, eventTs, eventMicros, values: values ?? ownRecord<Uint8Array>() };
  }

  values(): Record<string, Uint8Array> {
    this.expect(OPEN_OBJECT);
    this.key();
    if (!this.is('M')) throw notHere;
    const values = ownRecord<Uint8Array>();
    this.expect(OPEN_OBJECT);
    this.ws();
    if (this.b[this.pos] === CLOSE_OBJECT) this.pos++;
    else {
      do {
        this.key();
        const name = this.name(this.s, this.e);
        let bytes = this.compactBytes();
        if (bytes === undefined) {
          this.typed(B);
          bytes = this.base64(this.s, this.e);
        }
        values[name] = bytes;
      } while (this.more(CLOSE_OBJECT));
    }
    this.expect(CLOSE_OBJECT);
    return values;
  }
}

/** How an item the reader does not read itself is read: the general path, with its errors. */
export type GeneralItemReader = (json: Record<string, Record<string, unknown>>) => ParsedItem;

/**
 * One Scan answer, read batch by batch: {@link next} makes the next items only when the caller asks, so
 * an item is handed on and dropped while young (a whole page of parsed items outlived the collector's
 * young generation, was copied into the old one and grew the heap with the table: architecture.md §4.9).
 * The answer's LastEvaluatedKey and ConsumedCapacity are known once {@link next} has returned undefined.
 */
export class FeastScanPageReader {
  lastKey: Record<string, AttributeValue> | undefined;
  consumed = 0;
  private readonly r: Reader;
  private state: 'start' | 'members' | 'items' | 'afterItems' | 'end' | 'done' = 'start';

  constructor(
    private readonly body: Buffer,
    private readonly general: GeneralItemReader,
  ) {
    this.r = new Reader(body);
  }

  /** Up to `max` more items, or undefined once the answer is read. A body that is not JSON throws a SyntaxError. */
  next(max = 256): ParsedItem[] | undefined {
    try {
      return this.step(max);
    } catch (e) {
      if (e === notHere) throw new SyntaxError('the Scan answer is not the JSON DynamoDB sends', { cause: e });
      throw e;
    }
  }

  private step(max: number): ParsedItem[] | undefined {
    const r = this.r;
    const body = this.body;
    for (;;) {
      switch (this.state) {
        case 'start':
          r.expect(OPEN_OBJECT);
          r.ws();
          if (body[r.pos] === CLOSE_OBJECT) {
            r.pos++;
            this.state = 'end';
          } else this.state = 'members';
          break;
        case 'members':
          r.key();
          if (r.is('Items')) {
            r.expect(OPEN_ARRAY);
            r.ws();
            if (body[r.pos] === CLOSE_ARRAY) {
              r.pos++;
              this.state = 'afterItems';
            } else this.state = 'items';
            break;
          }
          if (r.is('LastEvaluatedKey')) this.lastKey = itemFromJson(r.parsed() as Record<string, Record<string, unknown>>);
          else if (r.is('ConsumedCapacity')) this.consumed = Number((r.parsed() as { CapacityUnits?: number }).CapacityUnits ?? 0);
          else r.skip();
          this.state = r.more(CLOSE_OBJECT) ? 'members' : 'end';
          break;
        case 'items': {
          const items: ParsedItem[] = [];
          do {
            const start = r.pos;
            let item: ParsedItem;
            try {
              item = r.item();
            } catch (e) {
              if (e !== notHere) throw e;
              // this item the general way: its text, whatever it holds, and the general path's error
              r.pos = start;
              const from = r.skip();
              item = this.general(JSON.parse(body.toString('utf8', from, r.pos)) as Record<string, Record<string, unknown>>);
            }
            items.push(item);
            if (!r.more(CLOSE_ARRAY)) {
              this.state = 'afterItems';
              break;
            }
          } while (items.length < max);
          return items;
        }
        case 'afterItems':
          this.state = r.more(CLOSE_OBJECT) ? 'members' : 'end';
          break;
        case 'end':
          r.ws();
          if (r.pos !== body.length) throw notHere;
          this.state = 'done';
          return undefined;
        case 'done':
          return undefined;
      }
    }
  }
}
