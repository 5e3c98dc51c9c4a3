/**
 * Test helpers over the merged message schemas (src/protocol/kafka/generated/
 * message-specs.json): which fields exist in a version, and the generated module of a
 * message.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Range = [number, number];

export interface FieldSpec {
  name: string;
  type: string;
  versions: Range[];
  nullableVersions: Range[];
  tag?: number;
  taggedVersions?: Range[];
}

export interface StructSpec {
  tsName: string;
  fields: FieldSpec[];
}

export interface MessageSpec {
  name: string;
  type: 'request' | 'response' | 'header' | 'data';
  apiKey?: number;
  file: string;
  validVersions: Range[];
  flexibleVersions: Range[];
  fields: FieldSpec[];
  structs: Record<string, StructSpec>;
}

export const MESSAGE_SPECS: MessageSpec[] = JSON.parse(
  readFileSync(join(process.cwd(), 'src/protocol/kafka/generated/message-specs.json'), 'utf8'),
);

export function inRanges(ranges: readonly Range[] | undefined, version: number): boolean {
  return (ranges ?? []).some(([low, high]) => version >= low && version <= high);
}

export function versionsOf(spec: MessageSpec): number[] {
  const versions: number[] = [];
  for (const [low, high] of spec.validVersions) {
    for (let v = low; v <= Math.min(high, 100); v++) versions.push(v);
  }
  return versions;
}

export type Codec = {
  encode(w: unknown, message: unknown, version: number): void;
  decode(r: unknown, version: number): unknown;
  defaults: Record<string, () => Record<string, unknown>>;
};

/** Loads the generated module of `spec` (compiled next to this test under dist/). */
export async function loadCodec(spec: MessageSpec): Promise<Codec> {
  const url = new URL(
    `../../../src/protocol/kafka/generated/messages/${spec.file}.js`,
    import.meta.url,
  );
  const module = (await import(url.href)) as Record<string, unknown>;
  const defaults: Codec['defaults'] = {};
  for (const [key, value] of Object.entries(module)) {
    if (key.startsWith('default'))
      defaults[key.slice('default'.length)] = value as () => Record<string, unknown>;
  }
  return {
    encode: module[`encode${spec.name}`] as Codec['encode'],
    decode: module[`decode${spec.name}`] as Codec['decode'],
    defaults,
  };
}
