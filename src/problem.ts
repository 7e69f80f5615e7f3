// The one error type of nonred: an RFC 9457 problem with a stable code. Thrown anywhere
// (crypto, formats, routes); the HTTP layer and the CLI each render it in one place.

export interface ProblemDetailItem {
  path: string;
  message: string;
}

export class Problem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly errors: ProblemDetailItem[] | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(status: number, code: string, detail: string, opts: { errors?: ProblemDetailItem[]; title?: string; extra?: Record<string, unknown> } = {}) {
    super(detail);
    this.name = 'Problem';
    this.status = status;
    this.code = code;
    this.title = opts.title ?? TITLES[status] ?? 'Error';
    this.errors = opts.errors;
    this.extra = opts.extra;
  }

  get detail(): string {
    return this.message;
  }

  toJSON(): Record<string, unknown> {
    return {
      type: `https://nonred.dev/problems/${this.code}`,
      title: this.title,
      status: this.status,
      detail: this.message,
      code: this.code,
      ...(this.errors ? { errors: this.errors } : {}),
      ...(this.extra ?? {}),
    };
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** Turns zod issues into problem error items with JSON-pointer paths. */
export function zodErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[], prefix = ''): ProblemDetailItem[] {
  return issues.map((i) => ({
    path: prefix + (i.path.length === 0 ? '' : '/' + i.path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')) || '/',
    message: i.message,
  }));
}
