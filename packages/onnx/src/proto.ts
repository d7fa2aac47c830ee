// protobufjs reading the published onnx.proto (embedded as text): the ONNX ModelProto encoder.
import protobuf from 'protobufjs';
import { ONNX_PROTO_TEXT } from './onnx-schema.js';

/** Numeric codes from onnx.proto that the exporter writes. */
export const TensorDataType = { FLOAT: 1, INT64: 7 } as const;
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;
/** IR version of the vendored schema (ONNX 1.12: IR 8). */
export const IR_VERSION = 8;

let modelType: protobuf.Type | undefined;

/** The `onnx.ModelProto` message type, parsed once from the embedded schema (field names as in the .proto). */
export function modelProtoType(): protobuf.Type {
  if (!modelType) modelType = protobuf.parse(ONNX_PROTO_TEXT, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

/** Serialises a plain ModelProto object (snake_case fields as in onnx.proto) to bytes; throws on schema violations. */
export function encodeModel(model: Record<string, unknown>): Uint8Array {
  const type = modelProtoType();
  const problem = type.verify(model);
  if (problem) throw new Error(`ModelProto does not match onnx.proto: ${problem}`);
  return type.encode(type.fromObject(model)).finish();
}

/** Parses ONNX bytes back into a plain object (for tests and inspection; int64 as numbers, bytes as Uint8Array). */
export function decodeModel(bytes: Uint8Array): Record<string, unknown> {
  const type = modelProtoType();
  return type.toObject(type.decode(bytes), { longs: Number, defaults: false }) as Record<string, unknown>;
}
