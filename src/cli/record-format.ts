/**
 * How `weir consume` prints a record: a template with placeholders, or one JSON object.
 *
 * Template placeholders: {topic} {partition} {offset} {timestamp} (epoch ms)
 * {timestamp:iso} {key} {value} {headers} (k=v,k=v) and {header:NAME}; escapes \n \t \\.
 * A null key, value or header value prints as "null", as Kafka's console consumer does.
 */
import { UsageError } from './args.js';
import type { ConsumedRecord } from './client/index.js';

type Part = string | ((record: ConsumedRecord) => string);

const text = (bytes: Buffer | null): string => (bytes === null ? 'null' : bytes.toString('utf8'));

const FIELDS: Readonly<Record<string, (record: ConsumedRecord) => string>> = {
  topic: (r) => r.topic,
  partition: (r) => String(r.partition),
  offset: (r) => String(r.offset),
  timestamp: (r) => String(r.timestamp),
  'timestamp:iso': (r) => new Date(Number(r.timestamp)).toISOString(),
  key: (r) => text(r.key),
  value: (r) => text(r.value),
  headers: (r) => r.headers.map((h) => `${h.key}=${text(h.value)}`).join(','),
};

export const DEFAULT_FORMAT = '{value}';

/** Compiles a template; throws UsageError naming an unknown placeholder. */
export function compileFormat(template: string): (record: ConsumedRecord) => string {
  const parts: Part[] = [];
  const pattern = /\{([a-z:]+|header:[^}]+)\}|\\([nt\\])/g;
  let last = 0;
  for (const match of template.matchAll(pattern)) {
    parts.push(template.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[2] !== undefined) {
      parts.push(match[2] === 'n' ? '\n' : match[2] === 't' ? '\t' : '\\');
      continue;
    }
    const name = match[1]!;
    if (name.startsWith('header:')) {
      const header = name.slice('header:'.length);
      parts.push((r) => {
        const found = r.headers.findLast((h) => h.key === header);
        return found ? text(found.value) : '';
      });
      continue;
    }
    const field = FIELDS[name];
    if (!field) {
      throw new UsageError(
        `unknown placeholder '{${name}}' in --format (use ${Object.keys(FIELDS)
          .map((f) => `{${f}}`)
          .join(' ')} {header:NAME})`,
      );
    }
    parts.push(field);
  }
  parts.push(template.slice(last));
  const compiled = parts.filter((p) => p !== '');
  return (record) => {
    let out = '';
    for (const part of compiled) out += typeof part === 'string' ? part : part(record);
    return out;
  };
}

/** One record as a JSON object (headers as an object; the last of repeated keys wins). */
export function recordJson(record: ConsumedRecord): string {
  return JSON.stringify({
    topic: record.topic,
    partition: record.partition,
    offset: Number(record.offset),
    timestamp: Number(record.timestamp),
    key: record.key === null ? null : record.key.toString('utf8'),
    value: record.value === null ? null : record.value.toString('utf8'),
    headers: Object.fromEntries(
      record.headers.map((h) => [h.key, h.value === null ? null : h.value.toString('utf8')]),
    ),
  });
}
