/**
 * Kafka's topic name rules: 1-249 characters of [a-zA-Z0-9._-], and not "." or "..".
 * (249 leaves room for the partition suffix in a 255-character directory name.)
 */
const LEGAL = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME_LENGTH = 249;

/** Returns why `name` is not a legal topic name, or null when it is. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name cannot be '${name}'`;
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `topic name is longer than ${MAX_TOPIC_NAME_LENGTH} characters`;
  }
  if (!LEGAL.test(name)) return `topic name '${name}' has characters outside [a-zA-Z0-9._-]`;
  return null;
}

/** Topics Kafka reserves for the broker's own state. */
export function isInternalTopic(name: string): boolean {
  return name === '__consumer_offsets' || name === '__transaction_state';
}
