import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The pre-built bundle of a handler (esbuild output, made by `npm run build`).
 *
 * The package ships the bundles next to the compiled library, so a user's synth
 * needs neither esbuild nor Docker.
 */
export function handlerCode(name: string): lambda.Code {
  const candidates = [
    // dist/lib/private/handler-code.js -> dist/handlers/<name> (the published package)
    path.join(__dirname, '..', '..', 'handlers', name),
    // lib/private/handler-code.ts -> dist/handlers/<name> (this repository, run from source)
    path.join(__dirname, '..', '..', 'dist', 'handlers', name),
  ];
  const dir = candidates.find((d) => fs.existsSync(path.join(d, 'index.js')));
  if (!dir) {
    throw new Error(`cdk-backup-jobs: the ${name} handler bundle is missing (looked in ${candidates.join(', ')}); run "npm run build"`);
  }
  return lambda.Code.fromAsset(dir);
}
