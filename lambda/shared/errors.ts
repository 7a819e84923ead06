/**
 * What an AWS error means, for the handlers and the CLI alike: worth trying
 * again (throttling, a server fault, the network), or an answer that the named
 * thing does not exist; and how an error is worded.
 */

/** Error names of AWS answers that a later attempt may not get. */
const TRANSIENT_ERROR_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'LimitExceededException',
  'RequestLimitExceeded',
  'ServiceUnavailableException',
  'DependencyFailureException',
  'InternalServerError',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/** Whether an error is throttling, a server fault or a network failure: worth trying again later. */
export function isTransientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; code?: string; $fault?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.$retryable) return true;
  if (e.$fault === 'server') return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (e.name && TRANSIENT_ERROR_NAMES.has(e.name)) return true;
  return e.code !== undefined && TRANSIENT_NETWORK_CODES.has(e.code);
}

/** Whether AWS answered that the named thing does not exist. */
export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === 'ResourceNotFoundException';
}

/** `Name: message` of an error, without a stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Runs an AWS call; its failure becomes an error that names the operation and AWS's error (for CloudFormation's reason). */
export async function naming<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw Object.assign(new Error(`${operation} failed: ${describeError(error)}`), { cause: error });
  }
}
