#!/usr/bin/env node
/**
 * The `backup-jobs` command: see bin/cli/program.ts, or run it with --help.
 */
import { run } from './cli/program';
import { interrupt } from './cli/wait';

// The AWS SDK inside this command is the one it was built with: the SDK's notice that its later
// versions will need Node.js 22 is not about this command, and would clutter every run's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Ctrl-C ends a wait at once, saying which job goes on (exit 130); a second one ends the process.
process.once('SIGINT', () => {
  interrupt();
  process.once('SIGINT', () => process.exit(130));
});

/** Ends with the code once the output is written, without waiting for a call that may still run (an SDK retry). */
function end(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => setTimeout(() => process.exit(code), 50).unref()));
}

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => end(code),
  (error) => {
    process.stderr.write(`backup-jobs: ${error instanceof Error ? error.message : String(error)}\n`);
    end(4);
  },
);
