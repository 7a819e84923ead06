#!/usr/bin/env node
/**
 * The `backup-jobs` command: see bin/cli/program.ts, or run it with --help.
 */
import { run } from './cli/program';

// The AWS SDK inside this command is the one it was built with: the SDK's notice that its later
// versions will need Node.js 22 is not about this command, and would clutter every run's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => { process.exitCode = code; },
  (error) => {
    process.stderr.write(`backup-jobs: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 4;
  },
);
