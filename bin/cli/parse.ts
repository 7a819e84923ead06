/**
 * Strict readers of option values. Each throws InvalidInput naming the option,
 * the value and the rule.
 */
import { isValid, parseISO } from 'date-fns';
import { quoted } from '../../lib/core/messages';
import { InvalidInput } from './exit-codes';

export { quoted };

/** Control characters (C0, DEL, C1): refused in any argument, as a terminal would act on them. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The problems with the command line's arguments as such: any with a control character. */
export function argumentProblems(argv: readonly string[]): string[] {
  return argv.flatMap((arg, i) => (CONTROL.test(arg) ? [`argument ${i + 1} (${quoted(arg)}) must not contain control characters`] : []));
}

/** A whole number, at least `min`. */
export function wholeNumber(option: string, min = 0): (text: string) => number {
  return (text) => {
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text)) || Number(text) < min) {
      throw new InvalidInput([`${option} (${quoted(text)}) must be a whole number${min > 0 ? ` of at least ${min}` : ''}`]);
    }
    return Number(text);
  };
}

/** `key=value` pairs, repeatable: each occurrence adds one. */
export function keyValue(option: string): (text: string, previous?: Record<string, string>) => Record<string, string> {
  return (text, previous = {}) => {
    const i = text.indexOf('=');
    if (i <= 0) throw new InvalidInput([`${option} (${quoted(text)}) must be key=value`]);
    return { ...previous, [text.slice(0, i)]: text.slice(i + 1) };
  };
}

const DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** A duration such as 2h, 90m, 1h30m, 45s or 500ms, in milliseconds. */
export function duration(option: string): (text: string) => number {
  return (text) => {
    const m = DURATION.exec(text.trim());
    if (!m || text.trim() === '' || m.slice(1).every((x) => x === undefined)) {
      throw new InvalidInput([`${option} (${quoted(text)}) must be a duration such as 2h, 90m, 1h30m, 45s or 500ms`]);
    }
    const [h, min, s, ms] = m.slice(1).map((x) => Number(x ?? 0));
    const total = ((h * 60 + min) * 60 + s) * 1000 + ms;
    if (total <= 0) throw new InvalidInput([`${option} (${quoted(text)}) must be longer than zero`]);
    return total;
  };
}

/**
 * An ISO 8601 date or date-time (2026-11-22, 2026-11-22T10:00:00Z,
 * 2026-11-22T12:00:00+02:00). Without a time zone it is UTC. Anything else,
 * or an impossible date (2026-02-30), is refused.
 */
export function isoDate(option: string): (text: string) => Date {
  return (text) => {
    const trimmed = text.trim();
    const shape = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(trimmed);
    const utc = !shape ? trimmed : shape[1] ? trimmed : trimmed.includes('T') ? `${trimmed}Z` : `${trimmed}T00:00:00Z`;
    const date = parseISO(utc);
    if (!shape || !isValid(date)) {
      throw new InvalidInput([`${option} (${quoted(text)}) must be an ISO 8601 date or date-time, e.g. 2026-11-22 or 2026-11-22T10:00:00Z`]);
    }
    return date;
  };
}

/**
 * A job id as AWS Backup makes them: not empty, no spaces or slashes (an empty
 * id would turn DescribeBackupJob's path into ListBackupJobs').
 */
export function jobId(what: string): (text: string) => string {
  return (text) => {
    if (!/^[^\s/]{1,1024}$/.test(text)) {
      throw new InvalidInput([`${what} (${quoted(text)}) must be a job id: not empty, without spaces or slashes (is the variable that holds it set?)`]);
    }
    return text;
  };
}

/** A value that must not be empty (an unset variable on a command line). */
export function nonEmpty(option: string): (text: string) => string {
  return (text) => {
    if (text.trim() === '') throw new InvalidInput([`${option} (${quoted(text)}) must not be empty (is the variable that holds it set?)`]);
    return text;
  };
}
