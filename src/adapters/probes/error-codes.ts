/**
 * Every `code` and `name` found in an error, its causes and, for an AggregateError (a host name with several
 * addresses), its errors: libraries wrap node's socket errors (ECONNREFUSED) in errors of their own.
 */
export function errorCodes(error: unknown): Set<string> {
  const codes = new Set<string>();
  const visit = (value: unknown, depth: number) => {
    if (!value || typeof value !== 'object' || depth > 8) return;
    const { code, name, cause, errors } = value as {
      code?: unknown;
      name?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof code === 'string') codes.add(code);
    if (typeof name === 'string') codes.add(name);
    visit(cause, depth + 1);
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  return codes;
}

/** A name that does not resolve: the probes check these before UNREACHABLE_ERRNOS (../network-errors.ts). */
export const UNKNOWN_HOST = ['ENOTFOUND', 'EAI_AGAIN'] as const;

export const hasAny = (codes: ReadonlySet<string>, wanted: readonly string[]) =>
  wanted.some((code) => codes.has(code));

/** An error's message in one line, its causes' messages after it when they say more. */
export function oneLine(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const inner = current instanceof AggregateError ? current.errors[0] : undefined;
    const message =
      current instanceof Error
        ? current.message || (inner as Error | undefined)?.message || current.name
        : String(current);
    if (message && !parts.some((part) => part.includes(message))) parts.push(message);
    current = current instanceof Error ? (current.cause ?? inner) : undefined;
  }
  return parts.join(': ').replace(/\s+/g, ' ').trim();
}
