/**
 * The third-party notices the package ships (scripts/third-party-licenses.mjs,
 * run by the build over esbuild's metafiles): every bundled package with its
 * license text; a license that is not allowed fails the build, naming it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const SCRIPT = path.join(ROOT, 'scripts', 'third-party-licenses.mjs');

/** Runs an expression over the script's exports (an ES module) in a child Node.js; its JSON result. */
function evaluate(expression: string): any {
  const code = `import * as t from ${JSON.stringify(SCRIPT)}; let r; try { r = { value: ${expression} }; } catch (e) { r = { error: e.message }; } process.stdout.write(JSON.stringify(r));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }));
}

/** A node_modules tree with packages of these licenses. */
function modules(packages: Record<string, { license?: unknown; files?: Record<string, string> }>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'licenses-'));
  for (const [name, p] of Object.entries(packages)) {
    const dir = path.join(root, 'node_modules', ...name.split('/'));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', license: p.license }));
    for (const [file, text] of Object.entries(p.files ?? {})) fs.writeFileSync(path.join(dir, file), text);
  }
  return root;
}

test('SPDX expressions: every AND part, any OR alternative, must be allowed', () => {
  expect(evaluate(`['MIT', 'Apache-2.0', '(MIT OR GPL-3.0)', 'MIT AND ISC', 'GPL-3.0', 'MIT AND GPL-2.0', 'SSPL-1.0'].map(t.allowed)`)).toEqual({ value: [true, true, true, true, false, false, false] });
});

test('the package directories of a bundle\'s inputs, scoped and nested, each once', () => {
  const inputs = ['node_modules/@aws-sdk/client-backup/dist-es/index.js', 'node_modules/@aws-sdk/client-backup/dist-es/x.js', 'node_modules/a/node_modules/b/index.js', 'lib/core/arns.ts'];
  expect(evaluate(`t.packageDirs(${JSON.stringify(inputs)}, '/r')`)).toEqual({ value: ['/r/node_modules/@aws-sdk/client-backup', '/r/node_modules/a/node_modules/b'] });
});

test('each package\'s license text and NOTICE; a package under GPL, or stating no license, fails the build naming each', () => {
  const root = modules({
    ok: { license: 'MIT', files: { LICENSE: 'Copyright (c) 2026 Someone' } },
    '@scope/apache': { license: 'Apache-2.0', files: { LICENSE: 'Apache License 2.0', NOTICE: 'This product includes software developed at Example.' } },
  });
  const metafile = { inputs: { 'node_modules/ok/index.js': {}, 'node_modules/@scope/apache/index.js': {} } };
  const good = evaluate(`t.thirdPartyLicenses([${JSON.stringify(metafile)}], ${JSON.stringify(root)})`).value;
  expect(good.count).toBe(2);
  expect(good.text).toContain('ok@1.0.0 (MIT)');
  expect(good.text).toContain('Copyright (c) 2026 Someone');
  expect(good.text).toContain('This product includes software developed at Example.');
  const bad = modules({ copyleft: { license: 'GPL-3.0' }, silent: {} });
  const inputs = { inputs: { 'node_modules/copyleft/index.js': {}, 'node_modules/silent/index.js': {} } };
  expect(evaluate(`t.thirdPartyLicenses([${JSON.stringify(inputs)}], ${JSON.stringify(bad)})`).error).toBe(
    'The bundles would carry code under licenses this package does not allow:\n  - copyleft@1.0.0 is licensed GPL-3.0, which is not one of MIT, Apache-2.0, ISC, BSD-2-Clause, BSD-3-Clause, 0BSD\n  - silent@1.0.0 states no license',
  );
});

test('the build wrote the notices of what the bundles carry: the AWS SDK, commander, each with its license text', () => {
  const text = fs.readFileSync(path.join(ROOT, 'dist', 'THIRD_PARTY_LICENSES'), 'utf8');
  expect(text).toMatch(/^@aws-sdk\/client-backup@[\d.]+ \(Apache-2.0\)/m);
  expect(text).toMatch(/^commander@[\d.]+ \(MIT\)/m);
  expect(text).toContain('Apache License');
  expect((text.match(/Copyright/gi) ?? []).length).toBeGreaterThan(20);
});
