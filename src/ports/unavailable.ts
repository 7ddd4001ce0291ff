/**
 * A port's "not now": the service behind it (transport, database) cannot take or answer the request at the
 * moment, and the same request may succeed later. HTTP answers it with 503 and Retry-After.
 */
export class UnavailableError extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds = 5, options?: ErrorOptions) {
    super(message, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
