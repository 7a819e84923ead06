/**
 * The GitHub Actions workflows (.github/workflows), checked against GitHub's
 * workflow schema with action-validator (no network: GitHub cannot be reached
 * here), and what they must do: the README's test command on Node.js 22 and
 * 24; a release that publishes each registry behind its own secret, only when
 * a new version was tagged.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const DIR = path.join(ROOT, '.github', 'workflows');
const VALIDATOR = path.join(ROOT, 'node_modules', '.bin', 'action-validator');
const read = (name: string) => fs.readFileSync(path.join(DIR, name), 'utf8');

test.each(['build.yml', 'release.yml'])('%s passes GitHub\'s workflow schema', (name) => {
  const run = spawnSync(VALIDATOR, [path.join(DIR, name)], { encoding: 'utf8' });
  expect({ status: run.status, output: run.stdout + run.stderr }).toEqual({ status: 0, output: '' });
});

test('the validator refuses a workflow GitHub would refuse (a misspelt key)', () => {
  const bad = path.join(fs.mkdtempSync(path.join(require('os').tmpdir(), 'workflow-')), 'bad.yml');
  fs.writeFileSync(bad, read('build.yml').replace('    steps:', '    step:'));
  const run = spawnSync(VALIDATOR, [bad], { encoding: 'utf8' });
  expect(run.status).not.toBe(0);
  expect(run.stdout + run.stderr).toContain("Additional property 'step' is not allowed");
});

test('build: .ci/run on Node.js 22 and 24 for pull requests and pushes; the jsii packages kept', () => {
  const build = read('build.yml');
  expect(build).toMatch(/pull_request:/);
  expect(build).toMatch(/node: \[22, 24\]/);
  expect(build).toContain('- run: .ci/run');
  expect(build).toContain('path: dist/jsii');
});

test('release: each registry behind its own secret, only once a new version was tagged, npm with provenance', () => {
  const release = read('release.yml');
  for (const [tool, secret] of [['publib-npm', 'NPM_TOKEN'], ['publib-pypi', 'PYPI_TOKEN'], ['publib-maven', 'MAVEN_PASSWORD'], ['publib-nuget', 'NUGET_API_KEY'], ['publib-golang', 'GO_GITHUB_TOKEN']]) {
    expect(release).toContain(tool);
    expect(release).toContain(`secrets.${secret}`);
  }
  expect(release.match(/if: needs\.release\.outputs\.released == 'true'/g)).toHaveLength(5);
  expect(release).toContain('NPM_CONFIG_PROVENANCE: "true"');
  expect(release).toContain('id-token: write');
});
