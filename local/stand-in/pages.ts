/**
 * A List operation's pages, as AWS Backup pages them: MaxResults items (1000
 * at most), and a NextToken that is valid only for the same filters.
 */
import { ServiceError } from './errors';

function encodeToken(token: { offset: number; filter: string }): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(text: string): { offset: number; filter: string } | undefined {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    return typeof token.offset === 'number' && typeof token.filter === 'string' ? token : undefined;
  } catch {
    return undefined;
  }
}

/** The page a List request asks for, of everything that matches its filters (newest first): the items and the next page's token. */
export function pageOf<T>(input: Record<string, any>, matching: readonly T[]): { items: T[]; nextToken?: string } {
  const filter = JSON.stringify({ ...input, NextToken: undefined, MaxResults: undefined });
  let offset = 0;
  if (input.NextToken !== undefined) {
    const token = decodeToken(input.NextToken);
    if (!token || token.filter !== filter) throw new ServiceError('InvalidParameterValueException', 'The NextToken is not valid for this request');
    offset = token.offset;
  }
  const size = input.MaxResults ?? 1000;
  return { items: matching.slice(offset, offset + size), nextToken: offset + size < matching.length ? encodeToken({ offset: offset + size, filter }) : undefined };
}

/** Whether a moment is within a List request's range of a date (its ByXAfter and ByXBefore filters). */
export function inRange(moment: number | undefined, after: Date | undefined, before: Date | undefined): boolean {
  if (after === undefined && before === undefined) return true;
  return moment !== undefined && (after === undefined || moment > after.getTime()) && (before === undefined || moment < before.getTime());
}
