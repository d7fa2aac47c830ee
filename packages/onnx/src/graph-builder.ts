// Accumulates the nodes, initializers and names of one ONNX graph as plain ModelProto-shaped objects.
import { AttributeType, TensorDataType } from './proto.js';

/** An attribute value: number (INT when integral and `int` is set, else FLOAT), string, or number lists. */
export type AttrValue =
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { string: string };

export interface OnnxNode {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: Record<string, unknown>[];
}

const utf8 = new TextEncoder();

/** Builds the node list of a graph with unique tensor/node names and float/int64 initializers. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: Record<string, unknown>[] = [];
  private readonly used = new Set<string>();

  /** Marks names as taken (graph inputs/outputs) so internal tensors never collide with them. */
  reserve(...names: string[]): void {
    for (const n of names) this.used.add(n);
  }

  /** A name not used yet, derived from `hint` (`hint`, `hint__1`, `hint__2`, …). */
  unique(hint: string): string {
    let name = hint;
    for (let i = 1; this.used.has(name); i++) name = `${hint}__${i}`;
    this.used.add(name);
    return name;
  }

  /** Appends a node; returns its output names (fresh names derived from `name` unless given). */
  node(
    opType: string,
    inputs: string[],
    name: string,
    attrs: Record<string, AttrValue> = {},
    outputs?: string[],
  ): string[] {
    const out = outputs ?? [this.unique(name)];
    this.nodes.push({
      name: this.unique(`${name}/${opType}`),
      op_type: opType,
      input: inputs,
      output: out,
      attribute: Object.entries(attrs).map(([k, v]) => encodeAttr(k, v)),
    });
    return out;
  }

  /** One-output convenience for {@link node}. */
  op(opType: string, inputs: string[], name: string, attrs: Record<string, AttrValue> = {}): string {
    return this.node(opType, inputs, name, attrs)[0]!;
  }

  /** Adds a float32 initializer (little-endian raw data) and returns its name. */
  float(name: string, data: Float32Array, dims: readonly number[]): string {
    const n = this.unique(name);
    const bytes = new Uint8Array(data.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
    this.initializers.push({ name: n, data_type: TensorDataType.FLOAT, dims: [...dims], raw_data: bytes });
    return n;
  }

  /** Adds an int64 initializer and returns its name. */
  int64(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const n = this.unique(name);
    this.initializers.push({ name: n, data_type: TensorDataType.INT64, dims: [...dims], int64_data: [...values] });
    return n;
  }
}

function encodeAttr(name: string, v: AttrValue): Record<string, unknown> {
  if ('int' in v) return { name, type: AttributeType.INT, i: v.int };
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  if ('ints' in v) return { name, type: AttributeType.INTS, ints: [...v.ints] };
  if ('floats' in v) return { name, type: AttributeType.FLOATS, floats: [...v.floats] };
  return { name, type: AttributeType.STRING, s: utf8.encode(v.string) };
}
