/**
 * What a committed integration-test snapshot holds: each stack's template and
 * the integ manifest, as JSON with sorted keys, asset hashes (they change
 * with every build of the handlers) and the assertions' salts replaced. `npm run integ -- --update-snapshots`
 * writes them; npm test compares the synthesized apps with them.
 */
import * as fs from 'fs';
import * as path from 'path';

const ASSET_HASH = /[0-9a-f]{64}/g;
/** integ-tests-alpha salts each assertion with the time of synthesis, so that it runs at every deploy. */
const SALT = /"salt": "\d+"/g;

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** The snapshot files of a cloud assembly: file name -> content. */
export function snapshotOf(assemblyDir: string): Record<string, string> {
  const files = fs.readdirSync(assemblyDir).filter((f) => f.endsWith('.template.json') || f === 'integ.json').sort();
  return Object.fromEntries(files.map((f) => {
    const json = JSON.parse(fs.readFileSync(path.join(assemblyDir, f), 'utf8'));
    return [f, `${JSON.stringify(sorted(json), null, 1).replace(ASSET_HASH, '(asset hash)').replace(SALT, '"salt": "(time of synthesis)"')}\n`];
  }));
}

/** The committed snapshot of an integration test (integ.<name>.ts.snapshot next to it). */
export function committedSnapshot(snapshotDir: string): Record<string, string> {
  if (!fs.existsSync(snapshotDir)) return {};
  return Object.fromEntries(fs.readdirSync(snapshotDir).sort().map((f) => [f, fs.readFileSync(path.join(snapshotDir, f), 'utf8')]));
}
