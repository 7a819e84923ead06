/**
 * How the rules speak: problems with their amounts and units, all of them in
 * one message. Pure functions, shared by every kind of job, the constructs,
 * the handlers and the CLI.
 */

/** A warning: the settings work, but probably not as the user meant. */
export interface ValidationWarning {
  /** A stable id, to acknowledge the warning. */
  readonly id: string;
  readonly message: string;
}

/** Every problem found, errors and warnings apart. */
export interface ValidationResult {
  readonly errors: string[];
  readonly warnings: ValidationWarning[];
}

/** Formats an amount with its unit: `1 day`, `30 days`, `0.5 days`. */
export function amount(value: number, unit: string): string {
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}

/** Formats seconds in the largest whole unit: `2 hours`, `90 minutes`, `45 seconds`. */
export function formatSeconds(seconds: number): string {
  if (seconds !== 0 && seconds % 3600 === 0) return amount(seconds / 3600, 'hour');
  if (seconds !== 0 && seconds % 60 === 0) return amount(seconds / 60, 'minute');
  return amount(seconds, 'second');
}

/** Whether a value is a whole number in a range. */
export function isWholeInRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** Joins errors into one message: every problem, one per line. */
export function formatErrors(subject: string, errors: readonly string[]): string {
  return `${subject} has ${amount(errors.length, 'invalid setting')}:\n${errors.map((e) => `  - ${e}`).join('\n')}`;
}

/** How long a value may be, quoted in a message, before it is shortened. */
const QUOTED_MAX = 80;

/**
 * A value as a message quotes it: JSON-escaped (no control character reaches a
 * terminal or a log raw), a long one shortened and its length said.
 */
export function quoted(value: string): string {
  return value.length <= QUOTED_MAX ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, QUOTED_MAX - 20))}… (${value.length} characters)`;
}
