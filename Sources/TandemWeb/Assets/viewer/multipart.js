// Incremental reader of a multipart/related body (RFC 2387) whose parts carry Content-Length,
// as dcmweb streams frames: each part is handed over as soon as its last byte arrives, and the
// bytes of a large part are copied once, straight from the network chunks into its own buffer.

const CRLF2 = [13, 10, 13, 10];

function indexOfSequence(bytes, sequence, from = 0) {
  outer: for (let i = from; i <= bytes.length - sequence.length; i++) {
    for (let j = 0; j < sequence.length; j++) if (bytes[i + j] !== sequence[j]) continue outer;
    return i;
  }
  return -1;
}

export function boundaryOf(contentType) {
  const match = /boundary="?([^";]+)"?/i.exec(contentType || "");
  if (!match) throw new Error(`no multipart boundary in ${contentType}`);
  return match[1];
}

export class MultipartReader {
  constructor(boundary) {
    this.head = new Uint8Array(0);
    this.part = null;      // { headers, bytes, filled }
    this.skip = 0;         // CRLF after a part's body
    this.done = false;
    this.closing = `--${boundary}--`;
  }

  // Feeds a chunk; returns the parts it completed, as { headers: Map, bytes: Uint8Array }.
  push(chunk) {
    const parts = [];
    let offset = 0;
    while (offset < chunk.length && !this.done) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - offset);
        this.skip -= n;
        offset += n;
      } else if (this.part) {
        const n = Math.min(this.part.bytes.length - this.part.filled, chunk.length - offset);
        this.part.bytes.set(chunk.subarray(offset, offset + n), this.part.filled);
        this.part.filled += n;
        offset += n;
        if (this.part.filled === this.part.bytes.length) {
          parts.push({ headers: this.part.headers, bytes: this.part.bytes });
          this.part = null;
          this.skip = 2;
        }
      } else {
        offset = this.readHead(chunk, offset);
      }
    }
    return parts;
  }

  // Collects a boundary line and part headers; returns the offset in chunk after what it used.
  readHead(chunk, offset) {
    const start = this.head.length;
    const joined = new Uint8Array(start + chunk.length - offset);
    joined.set(this.head);
    joined.set(chunk.subarray(offset), start);
    const text = new TextDecoder().decode(joined.subarray(0, Math.min(joined.length, 1024)));
    if (text.trimStart().startsWith(this.closing)) {
      this.done = true;
      return chunk.length;
    }
    const end = indexOfSequence(joined, CRLF2, Math.max(0, start - 3));
    if (end < 0) {
      if (joined.length > 16384) throw new Error("multipart part headers too long");
      this.head = joined;
      return chunk.length;
    }
    const headers = new Map();
    for (const line of new TextDecoder().decode(joined.subarray(0, end)).split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const length = Number(headers.get("content-length"));
    if (!Number.isSafeInteger(length) || length < 0) throw new Error("multipart part without Content-Length");
    this.part = { headers, bytes: new Uint8Array(length), filled: 0 };
    this.head = new Uint8Array(0);
    return offset + end + 4 - start;
  }
}
