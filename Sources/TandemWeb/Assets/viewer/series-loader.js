// Loads a series for display: its geometry (one small JSON), then every frame's pixels as one
// stream of decoded native samples, each frame usable as soon as it has arrived. Memory is the
// frames' typed arrays only, dropped with the SeriesData (abort() stops the transfer).
import { request } from "../common/api.js";
import { MultipartReader, boundaryOf } from "./multipart.js";

export function seriesPath(study, series) {
  return `/viewer/api/studies/${study}/series/${series}`;
}

// Stored samples as integers (PS3.5 §8.1.1): masked to Bits Stored, sign-extended when signed.
export function samplesOf(image, bytes) {
  const { bitsAllocated: allocated, bitsStored: stored, signed } = image;
  if (image.samplesPerPixel !== 1) return bytes;
  const count = image.rows * image.columns;
  let words;
  if (allocated === 8) words = signed ? new Int8Array(bytes.buffer, bytes.byteOffset, count) : bytes.subarray(0, count);
  else if (allocated === 16) words = signed ? new Int16Array(bytes.buffer, bytes.byteOffset, count)
    : new Uint16Array(bytes.buffer, bytes.byteOffset, count);
  else throw new Error(`${allocated}-bit samples are not displayed`);
  if (stored >= allocated) return words;
  const mask = (1 << stored) - 1, sign = 1 << (stored - 1);
  for (let i = 0; i < count; i++) {
    const v = words[i] & mask;
    words[i] = signed && v & sign ? v - (mask + 1) : v;
  }
  return words;
}

export class SeriesData {
  constructor(study, geometry, controller) {
    this.study = study;
    this.geometry = geometry;
    this.images = geometry.images;
    this.frames = new Array(this.images.length).fill(null);
    this.loaded = 0;
    this.finished = false;
    this.failure = null;
    this.listeners = new Set();
    this.controller = controller;
    this.slots = new Map(this.images.map((image, index) => [`${image.sopInstanceUID}/${image.frame}`, index]));
  }

  // Asks for the geometry and the pixels at once: the stream's first frame is on its way while
  // the headers are read, and waits in the socket until the geometry says what it is.
  static async open(study, series) {
    const controller = new AbortController();
    const pixels = request(`${seriesPath(study, series)}/pixels`, { signal: controller.signal });
    pixels.catch(() => {});
    try {
      const response = await request(`${seriesPath(study, series)}/geometry`, { headers: { Accept: "application/json" } });
      const data = new SeriesData(study, await response.json(), controller);
      data.load(pixels);
      return data;
    } catch (error) {
      controller.abort();
      throw error;
    }
  }

  // Calls listener(index) when frame index arrives, and listener(null) when the stream ends.
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(index) {
    for (const listener of this.listeners) listener(index);
  }

  async load(pixels) {
    try {
      const response = await pixels;
      const reader = new MultipartReader(boundaryOf(response.headers.get("content-type")));
      const stream = response.body.getReader();
      for (;;) {
        const { value, done } = await stream.read();
        if (done) break;
        for (const part of reader.push(value)) this.accept(part);
      }
    } catch (error) {
      if (error.name !== "AbortError") this.failure = error;
    }
    this.finished = true;
    if (!this.failure && this.loaded === this.images.length) {
      performance.mark("tandem:series-loaded", { detail: this.geometry.seriesInstanceUID });
    }
    this.notify(null);
  }

  accept(part) {
    const location = part.headers.get("content-location") || "";
    const match = /\/instances\/([0-9.]+)\/frames\/(\d+)$/.exec(location);
    const index = match ? this.slots.get(`${match[1]}/${match[2]}`) : undefined;
    if (index === undefined || this.frames[index]) return;
    const image = this.images[index];
    const expected = image.rows * image.columns * image.samplesPerPixel * (image.bitsAllocated / 8);
    if (part.bytes.length < expected) return;
    this.frames[index] = samplesOf(image, part.bytes);
    this.loaded++;
    this.notify(index);
  }

  // Stops the transfer and lets the frames be collected.
  release() {
    this.controller.abort();
    this.frames = [];
    this.listeners.clear();
  }
}
