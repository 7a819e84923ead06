/**
 * `backup-jobs`: AWS Backup jobs from the command line, for pipelines that run
 * a migration as a step. The same rules as the constructs check the input
 * before anything is sent to AWS, and the exit code says how the job ended.
 * Each command is a module of its own (commands/); this file holds the
 * global options, the shared context and the error handling.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import * as fs from 'fs';
import * as path from 'path';
import { Command, CommanderError } from 'commander';
import { createBackupClient } from '../../lambda/shared/aws-backup';
import { copyCommand } from './commands/copy';
import { scanCommand } from './commands/scan';
import { describeCommand } from './commands/describe';
import { listCommand } from './commands/list';
import { restoreCommand } from './commands/restore';
import { startCommand } from './commands/start';
import { waitCommand } from './commands/wait';
import type { CliContext } from './context';
import { EXIT, EXIT_CODES_HELP, InvalidInput } from './exit-codes';
import type { Io } from './output';
import { argumentProblems } from './parse';
import { Interrupted } from './wait';

interface GlobalOptions {
  readonly region?: string;
  readonly profile?: string;
  readonly json?: boolean;
}

function version(): string {
  for (const candidate of [path.join(__dirname, '..', '..', 'package.json'), path.join(__dirname, '..', '..', '..', 'package.json')]) {
    if (fs.existsSync(candidate)) return JSON.parse(fs.readFileSync(candidate, 'utf8')).version;
  }
  return 'unknown';
}

/** Runs the CLI with arguments (without `node` and the script); resolves to the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let exitCode: number = EXIT.COMPLETED;
  const out = (text: string) => io.stdout.write(`${text}\n`);
  const err = (text: string) => io.stderr.write(`${text}\n`);

  const program = new Command()
    .name('backup-jobs')
    .description('AWS Backup jobs for pipelines: start a backup, wait for it, and know how it ended.')
    .version(version())
    .option('--region <region>', 'AWS Region (default: the SDK\'s: AWS_REGION, the profile, ...)')
    .option('--profile <profile>', 'shared config profile (default: AWS_PROFILE or default)')
    .option('--json', 'machine output on stdout (progress stays on stderr)')
    .showHelpAfterError('(add --help for the options)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText('after', `\n${EXIT_CODES_HELP}\n\nThe SDK's standard settings apply, AWS_ENDPOINT_URL_BACKUP among them.`);

  const globals = () => program.opts<GlobalOptions>();
  const ctx: CliContext = {
    io,
    out,
    err,
    json: () => globals().json === true,
    client: () => createBackupClient({ region: globals().region, profile: globals().profile }),
    lambda: () => new LambdaClient({ region: globals().region, profile: globals().profile }),
    exit: (code) => { exitCode = code; },
  };

  startCommand(program, ctx);
  waitCommand(program, ctx);
  describeCommand(program, ctx);
  listCommand(program, ctx);
  restoreCommand(program, ctx);
  copyCommand(program, ctx);
  scanCommand(program, ctx);

  try {
    const problems = argumentProblems(argv);
    if (problems.length > 0) throw new InvalidInput(problems);
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof Interrupted) {
      err(error.message);
      return EXIT.INTERRUPTED;
    }
    if (error instanceof InvalidInput) {
      err(`backup-jobs: invalid input (${error.sent ?? 'nothing was sent to AWS'}):\n${error.problems.map((p) => `  - ${p}`).join('\n')}`);
      return EXIT.INVALID_INPUT;
    }
    if (error instanceof CommanderError) {
      return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) ? EXIT.COMPLETED : EXIT.INVALID_INPUT;
    }
    const e = error as { name?: string; message?: string };
    err(`${e.name ?? 'Error'}: ${e.message ?? String(error)}`);
    return EXIT.AWS_ERROR;
  }
}
