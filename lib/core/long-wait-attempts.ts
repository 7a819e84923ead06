/**
 * The long-wait poller's states for a kind whose job a busy resource makes
 * take in attempts (a backup): the attempt function decides the next attempt
 * (long-wait.ts builds the rest of the machine).
 */

/** The states the attempt states name (the kind's, from pollerStates). */
export interface AttemptStateNames {
  readonly attempt: string;
  readonly attempted: string;
  readonly attemptFailed: string;
  readonly ended: string;
  readonly failed: string;
  readonly handle: string;
}

/**
 * The attempt function's states: it gets the whole execution state and answers
 * with it, the current attempt (`JobId`, `Job`) and its decision in `Attempts`.
 */
export function attemptStates(names: AttemptStateNames, attemptFunctionArn: string, timedOut: Record<string, unknown>): Record<string, unknown> {
  return {
    [names.attempt]: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: attemptFunctionArn, 'Payload.$': '$' },
      OutputPath: '$.Payload',
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.Error', Next: names.attemptFailed }],
      Next: names.attempted,
    },
    [names.attempted]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.Attempts.Outcome', StringEquals: 'failed', Next: names.failed },
        { Variable: '$.Attempts.Outcome', StringEquals: 'check', Next: names.ended },
        timedOut,
      ],
      Default: names.handle,
    },
    [names.attemptFailed]: {
      Type: 'Pass',
      Parameters: { State: 'UNKNOWN', 'StatusMessage.$': "States.Format('the next attempt on the busy resource could not be decided: {}', $.Error.Cause)" },
      ResultPath: '$.Job',
      Next: names.failed,
    },
  };
}
