import UPNG from 'upng-js';

/**
 * The same picture in a 256-colour palette: flat UI colours survive unchanged, and the file is about 2.5 times
 * smaller than Chromium's (a few hundred KB for all the README's pictures, kept in git).
 */
export function paletted(png: Buffer): Buffer {
  const image = UPNG.decode(png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength) as ArrayBuffer);
  return Buffer.from(UPNG.encode(UPNG.toRGBA8(image), image.width, image.height, 256));
}
