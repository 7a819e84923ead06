/** How the stand-in answers what it refuses: AWS Backup's error shapes, and the failures a test injects. */

/** A service error as AWS Backup answers it (the error shape of the model, its HTTP status). */
export class ServiceError extends Error {
  constructor(public readonly code: string, message: string, public readonly status = 400) {
    super(message);
    this.name = code;
  }
}

/** A failure a test injected (throttling, a server fault), as opposed to a refusal. */
export class InjectedError extends ServiceError {}

/** An error to answer instead of doing the operation, a number of times. */
export interface InjectedFailure {
  readonly error: 'ThrottlingException' | 'LimitExceededException' | 'ServiceUnavailableException' | 'DependencyFailureException';
  readonly count: number;
}

const INJECTED_ANSWERS = {
  ThrottlingException: ['Rate exceeded', 400],
  LimitExceededException: ['A limit in the request has been exceeded', 400],
  ServiceUnavailableException: ['The request failed due to a temporary failure of the server.', 503],
  DependencyFailureException: ['A dependent AWS service or resource returned an error.', 500],
} as const;

/** The failures a test injected, by operation. */
export class InjectedFailures {
  private readonly failures = new Map<string, InjectedFailure[]>();

  /** The next `count` calls of an operation fail with this error. */
  public failNext(operation: string, failure: InjectedFailure): void {
    this.failures.set(operation, [...(this.failures.get(operation) ?? []), { ...failure }]);
  }

  /** Throws the injected failure of an operation, if one is due. */
  public maybeFail(operation: string): void {
    const queue = this.failures.get(operation);
    if (!queue || queue.length === 0) return;
    const failure = queue[0];
    failure.count === 1 ? queue.shift() : Object.assign(queue[0], { count: failure.count - 1 });
    const [message, status] = INJECTED_ANSWERS[failure.error];
    throw new InjectedError(failure.error, message, status);
  }
}

/** A role ARN as AWS Backup accepts one, or its refusal. */
export function requireRoleArn(roleArn: string): void {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn)) {
    throw new ServiceError('InvalidParameterValueException', `Invalid ARN for IAM role: ${roleArn}`);
  }
}

/** A lifecycle as AWS Backup accepts one (90 days in cold storage), or its refusal. */
export function requireLifecycle(lifecycle: Record<string, any> = {}): void {
  if (lifecycle.MoveToColdStorageAfterDays !== undefined && lifecycle.DeleteAfterDays !== undefined
    && lifecycle.DeleteAfterDays < lifecycle.MoveToColdStorageAfterDays + 90) {
    throw new ServiceError('InvalidParameterValueException', 'Invalid lifecycle. DeleteAfterDays cannot be less than 90 days apart from MoveToColdStorageAfterDays');
  }
}
