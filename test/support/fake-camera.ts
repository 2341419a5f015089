import { writeFileSync } from 'node:fs';
import QRCode from 'qrcode';

/**
 * A video file Chromium plays as its camera (`--use-file-for-fake-video-capture`): a QR code of
 * `text` on white, in Y4M (raw YUV 4:2:0), which Chromium reads without any codec, at 10 frames a
 * second. With `blankFrames`, the code leaves the picture for that many frames after each
 * `frames` (Chromium loops the file): a guest taking the phone away and showing it again.
 */
export function writeQrVideo(
  path: string,
  text: string,
  opts: { width?: number; height?: number; frames?: number; blankFrames?: number } = {},
): void {
  const width = opts.width ?? 640;
  const height = opts.height ?? 480;
  const frames = opts.frames ?? 10;
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const quiet = 4;
  const scale = Math.floor(Math.min(width, height) / (size + 2 * quiet));
  const x0 = Math.floor((width - size * scale) / 2);
  const y0 = Math.floor((height - size * scale) / 2);
  const luma = Buffer.alloc(width * height, 235);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < scale; dy++)
        luma.fill(
          16,
          (y0 + r * scale + dy) * width + x0 + c * scale,
          (y0 + r * scale + dy) * width + x0 + (c + 1) * scale,
        );
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma, chroma]);
  const blank = Buffer.concat([Buffer.from('FRAME\n'), Buffer.alloc(width * height, 235), chroma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  const all = [
    ...Array.from({ length: frames }, () => frame),
    ...Array.from({ length: opts.blankFrames ?? 0 }, () => blank),
  ];
  writeFileSync(path, Buffer.concat([header, ...all]));
}
