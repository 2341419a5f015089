import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

export interface QrDetector {
  detect(source: HTMLVideoElement): Promise<Array<{ rawValue: string }>>;
}

let detector: Promise<QrDetector> | undefined;

/**
 * The browser's own BarcodeDetector where it reads QR codes (Android, ChromeOS, macOS), otherwise
 * the `barcode-detector` ponyfill (ZXing compiled to WebAssembly). Its .wasm comes from Velvet
 * itself (bundled by Vite, cached by the service worker), never from a CDN: the door must work on
 * a venue network with no internet.
 */
export function qrDetector(): Promise<QrDetector> {
  detector ??= (async () => {
    const Native = (
      globalThis as {
        BarcodeDetector?: { new (o: { formats: string[] }): QrDetector; getSupportedFormats(): Promise<string[]> };
      }
    ).BarcodeDetector;
    if (Native && (await Native.getSupportedFormats().catch((): string[] => [])).includes('qr_code'))
      return new Native({ formats: ['qr_code'] });
    const { BarcodeDetector, prepareZXingModule } = await import('barcode-detector/ponyfill');
    await prepareZXingModule({
      overrides: {
        locateFile: (path: string, prefix: string) =>
          path.endsWith('.wasm') ? new URL(wasmUrl, location.href).href : prefix + path,
      },
      fireImmediately: true,
    });
    return new BarcodeDetector({ formats: ['qr_code'] });
  })();
  return detector;
}
