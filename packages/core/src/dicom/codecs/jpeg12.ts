// 12-bit JPEG (extended, process 4): DCMTK's IJG 12-bit codec in WebAssembly, from the optional peer
// dependency dcmjs-codecs (MIT). libjpeg-turbo's WASM build is 8-bit only, and no other maintained npm
// package decodes 12-bit DCT JPEG. Loaded only when a file's JPEG frames have 12-bit precision.
import type { PixelModule } from '../pixel-module.js';
import type { FrameCodec } from './types.js';
import { WasmHost } from './wasm-host.js';
import { checkGeometry, decodeFailed, finishFrame } from './check.js';
import { readJpegFrameHeader, startsWithSoi } from './jpeg-markers.js';
import { dicomError } from '../errors.js';

type DcmjsCodecs = typeof import('dcmjs-codecs').default;

async function wasmPath(): Promise<string | undefined> {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!proc?.versions?.node) return undefined;
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  return join(dirname(createRequire(import.meta.url).resolve('dcmjs-codecs')), 'dcmjs-native-codecs.wasm');
}

async function loadDcmjsCodecs(): Promise<DcmjsCodecs> {
  let mod: { default?: DcmjsCodecs } & Partial<DcmjsCodecs>;
  try {
    mod = (await import('dcmjs-codecs')) as typeof mod;
  } catch (e) {
    throw dicomError('DICOM_CODEC_NOT_INSTALLED', '12-bit JPEG (process 4) needs the optional package dcmjs-codecs', {
      received: 'dcmjs-codecs not installed',
      fix: "npm install dcmjs-codecs@0.0.8 (DCMTK's 12-bit JPEG codec in WebAssembly), or transcode the file to a lossless syntax",
      cause: e,
    });
  }
  const api = (mod.default ?? mod) as DcmjsCodecs;
  if (api.NativeCodecs.isInitialized()) api.NativeCodecs.release();
  const path = await wasmPath();
  await api.NativeCodecs.initializeAsync(path ? { webAssemblyModulePathOrUrl: path } : {});
  return api;
}

let host: WasmHost<DcmjsCodecs> | undefined;

/** The 12-bit JPEG codec (dcmjs-codecs / DCMTK IJG); 8-bit frames are decoded by it too. */
export async function createJpeg12Codec(): Promise<FrameCodec> {
  host ??= new WasmHost<DcmjsCodecs>('dcmjs-codecs', loadDcmjsCodecs);
  await host.ready();
  const h = host;
  return {
    name: 'JPEG extended 12-bit (DCMTK via dcmjs-codecs)',
    isFrameStart: startsWithSoi,
    decode(encoded: Uint8Array, pm: PixelModule) {
      const sof = readJpegFrameHeader(encoded);
      checkGeometry('JPEG extended', pm, sof);
      if (sof!.marker !== 0xffc0 && sof!.marker !== 0xffc1) {
        throw decodeFailed(
          'JPEG extended',
          new Error(`SOF marker ${sof!.marker.toString(16)} is not baseline/extended Huffman`),
        );
      }
      const inBps = sof!.precision > 8 ? 2 : 1;
      let out: Uint8Array;
      try {
        out = h.run((api) => {
          const ctx = new api.Context({
            width: pm.columns,
            height: pm.rows,
            bitsAllocated: inBps * 8,
            bitsStored: sof!.precision,
            samplesPerPixel: pm.samplesPerPixel,
            pixelRepresentation: 0,
            planarConfiguration: 0,
            photometricInterpretation: pm.samplesPerPixel === 3 ? 'YBR_FULL' : 'MONOCHROME2',
            encodedBuffer: encoded,
          });
          const res = api.NativeCodecs.decodeJpeg(ctx, { convertColorspaceToRgb: true }).getDecodedBuffer();
          if (!res) throw new Error('no decoded buffer');
          return res.slice();
        });
      } catch (e) {
        throw decodeFailed('JPEG extended', e);
      }
      return finishFrame(
        'JPEG extended',
        pm,
        out,
        sof!.precision,
        false,
        false,
        pm.samplesPerPixel === 3 ? 'RGB' : undefined,
      );
    },
  };
}
