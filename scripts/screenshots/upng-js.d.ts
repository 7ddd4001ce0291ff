/** The part of upng-js (it ships no types) that the screenshots use. */
declare module 'upng-js' {
  interface Image {
    readonly width: number;
    readonly height: number;
  }
  const UPNG: {
    decode(buffer: ArrayBuffer): Image;
    toRGBA8(image: Image): ArrayBuffer[];
    /** `colours` 0: lossless; otherwise the most colours of a palette to reduce to (lossy). */
    encode(frames: ArrayBuffer[], width: number, height: number, colours: number): ArrayBuffer;
  };
  export default UPNG;
}
