/**
 * Kafka-style `server.properties` parsing: `key=value` or `key: value` lines, `#` and `!`
 * comments, surrounding whitespace ignored.
 */
export function parseProperties(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const match = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (match) values[match[1]!] = match[2]!;
  }
  return values;
}

/** WEIR_LOG_RETENTION_HOURS=24 → log.retention.hours=24 (WEIR_DATA_DIR etc. are flags). */
export function configFromEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('WEIR_') || value === undefined) continue;
    const name = key.slice('WEIR_'.length).toLowerCase().replace(/_/g, '.');
    values[name] = value;
  }
  return values;
}
