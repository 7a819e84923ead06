// Project tools written in TypeScript (the demo, the benchmark) bundled to run with plain Node:
// their own sources inside, packages from node_modules as they are.
import { build } from 'esbuild';

/** Bundles each entry point into outdir as <name>.js. */
export async function bundleTool(entryPoints, outdir) {
  await build({
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
  });
}
