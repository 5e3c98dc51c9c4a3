/**
 * Errors that carry a stable, machine-readable code. Every error Weir raises on purpose
 * is a CodedError so callers (handlers, the CLI, tests) can branch on `code` instead of
 * parsing messages.
 */
export class CodedError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CodedError';
    this.code = code;
  }
}
