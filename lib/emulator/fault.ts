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

  constructor(status: number, errorCode?: string, detail?: unknown, data?: Record<string, unknown>) {
    super(`${status} ${errorCode ?? ''}`.trim());
    this.name = 'ApiFault';
    this.status = status;
    this.errorCode = errorCode;
    this.detail = detail;
    this.data = data;
  }
}

/** 400 `ARG-001` with a field → reason map, the API's validation error shape. */
export function invalidArgs(detail: Record<string, string>): ApiFault {
  return new ApiFault(400, 'ARG-001', detail);
}

export const forbidden = (): ApiFault => new ApiFault(403);
export const notFound = (): ApiFault => new ApiFault(404);
