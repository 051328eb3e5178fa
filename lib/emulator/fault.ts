/**
 * A refusal a handler raises: the envelope turns it into the API's status and (for 400/409) the
 * encrypted `{error_code, error_detail[, error_data]}` body. Internal to the emulator: it never
 * leaves the server as a thrown error.
 */

/** A protocol-level refusal with its HTTP status and optional API error code. */
export class ApiFault extends Error {
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly detail: unknown;
  readonly data: Record<string, unknown> | undefined;
  /** Plain HTTP headers of the answer besides the signed ones (e.g. `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    errorCode?: string,
    detail?: unknown,
    data?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    super(`${status} ${errorCode ?? ''}`.trim());
    this.name = 'ApiFault';
    this.status = status;
    this.errorCode = errorCode;
    this.detail = detail;
    this.data = data;
    this.headers = headers;
  }
}

/** 400 `ARG-001` with a field → reason map, the API's validation error shape. */
export function invalidArgs(detail: Record<string, string>): ApiFault {
  return new ApiFault(400, 'ARG-001', detail);
}

export const forbidden = (): ApiFault => new ApiFault(403);

/**
 * 429 with an empty body (docs/protocol.md, "The response envelope") and `Retry-After` in whole seconds: the
 * official SDKs read only the status (docs/protocol.md, "Status handling"), this package's SDK also hands the
 * header on as `RateLimitedError.retryAfter`. The header is outside the signed token, which binds only the
 * status, the body and Cache-Control/Location.
 */
export const rateLimited = (retryAfterSeconds: number): ApiFault =>
  new ApiFault(429, undefined, undefined, undefined, {
    'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });
export const notFound = (): ApiFault => new ApiFault(404);
