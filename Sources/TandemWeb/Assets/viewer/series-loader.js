// Loads a series for display: its geometry (small JSON: the first image's at once, then the
// whole series'), and every frame's pixels as one stream of decoded native samples, each frame
// usable as soon as it has arrived. Memory is the frames' typed arrays only, dropped with the
// SeriesData (abort() stops the transfer).
import { request } from "../common/api.js";
import { MultipartReader, boundaryOf } from "./multipart.js";

function frameKey(image) {
  return `${image.sopInstanceUID}/${image.frame}`;
}

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
    this.controller = controller;
    this.frames = [];
    this.loaded = 0;
    this.finished = false;
    this.failure = null;
    this.listeners = new Set();
    // Frames that arrived before the geometry listing them: placed once it does.
    this.unplaced = [];
    this.setGeometry(geometry);
  }

  // Asks for the pixels, the first image's geometry and the whole series' geometry at once. The
  // first image is drawn as soon as its geometry and its frame are in; the whole geometry (one
  // entry per frame, which takes longer to make for a long series) replaces it when it arrives.
  static async open(study, series) {
    const controller = new AbortController();
    const path = seriesPath(study, series), json = { Accept: "application/json" };
    const pixels = request(`${path}/pixels`, { signal: controller.signal });
    const whole = request(`${path}/geometry`, { headers: json, signal: controller.signal }).then((r) => r.json());
    pixels.catch(() => {});
    whole.catch(() => {});
    try {
      const first = await request(`${path}/geometry?instances=1`, { headers: json, signal: controller.signal });
      const data = new SeriesData(study, await first.json(), controller);
      data.load(pixels);
      whole.then((geometry) => data.setGeometry(geometry, true), (error) => data.fail(error));
      return data;
    } catch (error) {
      controller.abort();
      throw error;
    }
  }

  // The geometry listing the frames (the first image's, then the whole series'); frames already
  // in keep their place, matched by SOP Instance UID and frame number.
  setGeometry(geometry, complete = false) {
    const previous = new Map((this.images || []).map((image, index) => [frameKey(image), this.frames[index]]));
    this.geometry = geometry;
    this.images = geometry.images;
    this.complete = complete;
    this.slots = new Map(this.images.map((image, index) => [frameKey(image), index]));
    this.frames = this.images.map((image) => previous.get(frameKey(image)) || null);
    this.loaded = this.frames.filter(Boolean).length;
    const waiting = this.unplaced;
    this.unplaced = [];
    for (const part of waiting) this.accept(part);
    if (complete) {
      this.notify("geometry");
      this.markLoaded();
    }
  }

  fail(error) {
    if (error.name === "AbortError") return;
    this.failure = error;
    this.notify(null);
  }

  markLoaded() {
    if (this.finished && this.complete && !this.failure && this.loaded === this.images.length) {
      performance.mark("tandem:series-loaded", { detail: this.geometry.seriesInstanceUID });
    }
  }

  // Calls listener(index) when frame index arrives, listener("geometry") when the whole series'
  // geometry has replaced the first image's, and listener(null) when the stream ends.
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
    this.markLoaded();
    this.notify(null);
  }

  accept(part) {
    const location = part.headers.get("content-location") || "";
    const match = /\/instances\/([0-9.]+)\/frames\/(\d+)$/.exec(location);
    if (!match) return;
    const index = this.slots.get(`${match[1]}/${match[2]}`);
    if (index === undefined) {
      if (!this.complete) this.unplaced.push(part);
      return;
    }
    if (this.frames[index]) return;
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
    this.unplaced = [];
    this.listeners.clear();
  }
}
