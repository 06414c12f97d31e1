/**
 * goneaway's session set-up goes out ahead of the caller's first statement, written straight to
 * the connection without waiting for its reply (`ManagedConnection.open`), so a new connection
 * costs no extra round trip and tracking is on before the caller's first statement runs. Its
 * reply is taken off the connection before mysql2 sees it and read here: the protocol's OK
 * packet, byte by byte (MySQL client/server protocol, "OK_Packet" with CLIENT_SESSION_TRACK).
 */

/** The bytes of one COM_QUERY packet (sequence 0) carrying `sql`. */
export function queryPacket(sql: string): Buffer {
  const payload = Buffer.from(sql, 'utf8');
  const packet = Buffer.allocUnsafe(5 + payload.length);
  packet.writeUIntLE(payload.length + 1, 0, 3);
  packet[3] = 0; // sequence id: a new command
  packet[4] = 0x03; // COM_QUERY
  payload.copy(packet, 5);
  return packet;
}

/** What the set-up statement's reply said. */
export type SetUpReply =
  | { readonly ok: true; readonly serverStatus: number; readonly waitTimeoutS?: number }
  | { readonly ok: false; readonly errno: number };

const SERVER_SESSION_STATE_CHANGED = 0x4000;
const SESSION_TRACK_SYSTEM_VARIABLES = 0;

/**
 * Reads an OK or error packet's payload (`buffer[start, end)`, after the 4-byte header).
 *
 * @example
 * readSetUpReply(Buffer.from([0, 0, 0, 2, 0, 0, 0]), 0, 7); // { ok: true, serverStatus: 2 }
 */
export function readSetUpReply(buffer: Buffer, start: number, end: number): SetUpReply {
  const reader = new Reader(buffer, start, end);
  const marker = reader.byte();
  if (marker === 0xff) return { ok: false, errno: reader.uint16() };
  reader.lengthEncoded(); // affected rows
  reader.lengthEncoded(); // last insert id
  const serverStatus = reader.uint16();
  reader.uint16(); // warnings
  if (reader.done || (serverStatus & SERVER_SESSION_STATE_CHANGED) === 0) {
    return { ok: true, serverStatus };
  }
  reader.skip(reader.lengthEncoded()); // human-readable info
  const stateEnd = reader.position + reader.lengthEncoded();
  let waitTimeoutS: number | undefined;
  while (reader.position < stateEnd) {
    const type = reader.byte();
    const entryEnd = reader.position + reader.lengthEncoded();
    if (type === SESSION_TRACK_SYSTEM_VARIABLES) {
      const name = reader.string();
      const value = reader.string();
      if (name === 'wait_timeout') waitTimeoutS = Number(value);
    }
    reader.seek(entryEnd);
  }
  return waitTimeoutS === undefined || !Number.isFinite(waitTimeoutS)
    ? { ok: true, serverStatus }
    : { ok: true, serverStatus, waitTimeoutS };
}

/** A bounds-checked cursor: a malformed packet ends the reading, it never reads past `end`. */
class Reader {
  readonly #buffer: Buffer;
  readonly #end: number;
  position: number;

  constructor(buffer: Buffer, start: number, end: number) {
    this.#buffer = buffer;
    this.position = start;
    this.#end = Math.min(end, buffer.length);
  }

  get done(): boolean {
    return this.position >= this.#end;
  }

  byte(): number {
    this.#need(1);
    return this.#buffer[this.position++]!;
  }

  uint16(): number {
    this.#need(2);
    const value = this.#buffer.readUInt16LE(this.position);
    this.position += 2;
    return value;
  }

  lengthEncoded(): number {
    const first = this.byte();
    if (first < 0xfb) return first;
    const size = first === 0xfc ? 2 : first === 0xfd ? 3 : first === 0xfe ? 8 : 0;
    if (size === 0) throw new RangeError('malformed length-encoded integer');
    this.#need(size);
    // Lengths inside one small OK packet never need more than 48 bits.
    const value = this.#buffer.readUIntLE(this.position, Math.min(size, 6));
    this.position += size;
    return value;
  }

  string(): string {
    const length = this.lengthEncoded();
    this.#need(length);
    const text = this.#buffer.toString('utf8', this.position, this.position + length);
    this.position += length;
    return text;
  }

  skip(length: number): void {
    this.seek(this.position + length);
  }

  seek(position: number): void {
    if (position > this.#end) throw new RangeError('packet shorter than its lengths say');
    this.position = position;
  }

  #need(length: number): void {
    if (this.position + length > this.#end) throw new RangeError('packet ends early');
  }
}
