// Minimal typings for the Emscripten codec builds (they ship none).
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (opts?: Record<string, unknown>) => Promise<unknown>;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: (opts?: Record<string, unknown>) => Promise<unknown>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (opts?: Record<string, unknown>) => Promise<unknown>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjph/wasmjs' {
  const factory: (opts?: Record<string, unknown>) => Promise<unknown>;
  export default factory;
}
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    decode(buffer: ArrayBuffer, offset?: number, length?: number, numBytes?: number): ArrayBufferView;
  }
}
declare module 'dcmjs-codecs' {
  export class Context {
    constructor(attrs: Record<string, unknown>);
    getDecodedBuffer(): Uint8Array | undefined;
  }
  export class NativeCodecs {
    static initializeAsync(opts?: {
      webAssemblyModulePathOrUrl?: string;
      logCodecsInfo?: boolean;
      logCodecsTrace?: boolean;
    }): Promise<void>;
    static isInitialized(): boolean;
    static release(): void;
    static decodeJpeg(context: Context, parameters?: { convertColorspaceToRgb?: boolean }): Context;
  }
  const _default: { Context: typeof Context; NativeCodecs: typeof NativeCodecs };
  export default _default;
}
