/**
 * Console output helpers: aligned tables, human sizes, and writes that respect stdout's
 * backpressure (a consumer piped into a slow reader must not buffer without bound).
 */
import { once } from 'node:events';

/** Columns separated by two spaces, padded to the widest cell; no trailing spaces. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly (string | number | bigint)[])[],
): string {
  const cells = [headers, ...rows].map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

/** 1536 → "1.5 KiB". */
export function humanBytes(bytes: number | bigint): string {
  let value = Number(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Writes to stdout, waiting for 'drain' when its buffer is full. */
export async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

/** JSON.stringify that writes bigints as numbers when safe, else as strings. */
export function json(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint'
      ? v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(v)
        : v.toString()
      : v,
  );
}
