/** What every command of the CLI shares: its output, the AWS Backup client, the exit code and the wait options. */
import type { BackupClient } from '@aws-sdk/client-backup';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { Command, Option } from 'commander';
import { VAULT_NAME_PATTERN } from '../../lib/core/arns';
import type { Io } from './output';
import { duration, quoted } from './parse';

export interface CliContext {
  readonly io: Io;
  /** A line on stdout (results). */
  out(text: string): void;
  /** A line on stderr (progress, warnings, errors). */
  err(text: string): void;
  /** Whether --json asks for machine output. */
  json(): boolean;
  /** The AWS Backup client, for --region and --profile. */
  client(): BackupClient;
  /** A Lambda client, for --region and --profile (a restore's validation). */
  lambda(): LambdaClient;
  /** Sets the exit code the command ends with. */
  exit(code: number): void;
}

/** The flags of a command that can wait for a job. */
export interface WaitFlags {
  readonly wait?: boolean;
  readonly timeout?: number;
  readonly interval: number;
  readonly allowPartial?: boolean;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

/** The problem with a flag that must name an IAM role by its ARN, if any. */
export function roleArnProblem(flag: string, value: string): string[] {
  return ROLE_ARN.test(value) ? [] : [`${flag} (${quoted(value)}) must be an IAM role ARN (arn:aws:iam::account:role/name)`];
}

/** The problem with a flag that names a backup vault, if any. */
export function vaultNameProblem(flag: string, value: string): string[] {
  return VAULT_NAME_PATTERN.test(value) ? [] : [`${flag} (${quoted(value)}) must be 2 to 50 characters: letters, digits, hyphens and underscores`];
}
const DEFAULT_INTERVAL_MS = 15_000;

/** Adds --timeout and --interval to a command that waits. */
export function waitOptions(cmd: Command): Command {
  return cmd
    .option('--timeout <duration>', 'give up waiting after this long (2h, 90m, 45s); the job is left running', duration('--timeout'))
    .addOption(new Option('--interval <duration>', 'time between two looks at the job').argParser(duration('--interval')).default(DEFAULT_INTERVAL_MS, '15s'));
}
