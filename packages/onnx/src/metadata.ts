import { CxrkitError } from '@cxrkit/core/tfjs-free';
import { cardFromOnnxMetadata, type ModelCard } from '@cxrkit/models/card';
import protobuf from 'protobufjs';
import { decodeModel, modelProtoType } from './proto.js';

/** What an exported file says about itself. */
export interface OnnxModelInfo {
  /** metadata_props: `cxrkit.model_name`, `cxrkit.version`, `cxrkit.preprocessing`, `cxrkit.card`, … */
  metadata: Record<string, string>;
  /** The model card embedded by `exportOnnx(model, { card })`, validated; undefined when the file has none. */
  card?: ModelCard;
  opset: number;
  producer: string;
  inputs: { name: string; shape: (number | string)[] }[];
  outputs: { name: string; shape: (number | string)[] }[];
  /** Number of nodes by op type, e.g. { Conv: 94, BatchNormalization: 94, … }. */
  opCounts: Record<string, number>;
}

/**
 * Reads the metadata, opset, inputs/outputs (`'batch'` for the dynamic dimension) and op counts of ONNX
 * bytes (decodes the whole file: fine for checks, not on a hot path).
 * @throws CxrkitError `ONNX_NOT_ONNX` when the bytes are not an ONNX model; the card's errors (`CARD_*`)
 *   when an embedded card is invalid.
 */
export function readOnnxInfo(bytes: Uint8Array): OnnxModelInfo {
  // biome-ignore lint/suspicious/noExplicitAny: the decoded ModelProto is untyped protobuf JSON
  let m: Record<string, any>;
  try {
    m = decodeModel(bytes);
  } catch (cause) {
    throw new CxrkitError('ONNX_NOT_ONNX', 'the bytes are not an ONNX model', {
      received: `${bytes.byteLength} bytes`,
      fix: 'pass the output of exportOnnx',
      cause,
      pkg: 'onnx',
    });
  }
  if (!m['graph'])
    throw new CxrkitError('ONNX_NOT_ONNX', 'the bytes decode to a ModelProto without a graph', {
      received: `${bytes.byteLength} bytes`,
      fix: 'pass the output of exportOnnx',
      pkg: 'onnx',
    });
  // biome-ignore lint/suspicious/noExplicitAny: a decoded ValueInfoProto
  const vi = (v: any) => ({
    name: String(v.name),
    // biome-ignore lint/suspicious/noExplicitAny: a decoded TensorShapeProto.Dimension
    shape: (v.type?.tensor_type?.shape?.dim ?? []).map((d: any) =>
      d.dim_param !== undefined ? String(d.dim_param) : Number(d.dim_value),
    ),
  });
  const opCounts: Record<string, number> = {};
  for (const n of m['graph'].node ?? []) opCounts[n.op_type] = (opCounts[n.op_type] ?? 0) + 1;
  const props: { key: string; value: string }[] = m['metadata_props'] ?? [];
  const metadata: Record<string, string> = Object.fromEntries(props.map((p) => [p.key, p.value]));
  const card = cardFromOnnxMetadata(metadata);
  return {
    metadata,
    ...(card ? { card } : {}),
    // biome-ignore lint/suspicious/noExplicitAny: a decoded OperatorSetIdProto
    opset: Number((m['opset_import'] ?? []).find((o: any) => !o.domain)?.version ?? 0),
    producer: String(m['producer_name'] ?? ''),
    inputs: (m['graph'].input ?? []).map(vi),
    outputs: (m['graph'].output ?? []).map(vi),
    opCounts,
  };
}

/**
 * Only the metadata_props of ONNX bytes (key → value), read with protobufjs's wire reader: the graph and its
 * weights are skipped, not decoded, so this is fast on a large model (a browser reading the card).
 * @throws CxrkitError `ONNX_NOT_ONNX` when the bytes do not decode as a ModelProto.
 */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const model = modelProtoType();
  const id = model.fields['metadata_props']!.id;
  const entry = model.root.lookupType('onnx.StringStringEntryProto');
  const out: Record<string, string> = {};
  try {
    const reader = protobuf.Reader.create(bytes);
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag >>> 3 === id && (tag & 7) === 2) {
        const { key, value } = entry.decode(reader, reader.uint32()) as unknown as { key: string; value: string };
        out[key] = value;
      } else {
        reader.skipType(tag & 7);
      }
    }
  } catch (cause) {
    throw new CxrkitError('ONNX_NOT_ONNX', 'the bytes are not an ONNX model', {
      received: `${bytes.byteLength} bytes`,
      fix: 'pass the output of exportOnnx',
      cause,
      pkg: 'onnx',
    });
  }
  return out;
}

/**
 * The model card embedded in ONNX bytes by `exportOnnx(model, { card })`, validated; undefined when the
 * file has none. Reads only the metadata (see {@link readOnnxMetadata}).
 * @throws CxrkitError `ONNX_NOT_ONNX`, and the card's errors (`CARD_*`) for an invalid embedded card.
 */
export function readOnnxCard(bytes: Uint8Array): ModelCard | undefined {
  return cardFromOnnxMetadata(readOnnxMetadata(bytes));
}
