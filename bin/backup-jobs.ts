#!/usr/bin/env node
/**
 * The `backup-jobs` command: see bin/cli/program.ts, or run it with --help.
 */
import { run } from './cli/program';

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => { process.exitCode = code; },
  (error) => {
    process.stderr.write(`backup-jobs: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 4;
  },
);
