/**
 * The release's version and changelog step (commit-and-tag-version, as
 * release.yml runs it), dry-run on repositories of conventional commits: what
 * version and changelog the commits since the last tag give, and that a dry
 * run changes nothing. `npm run release:dry-run` does it on this repository.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const TOOL = path.join(__dirname, '..', 'node_modules', '.bin', 'commit-and-tag-version');

/** A repository at 1.2.0 (tagged), then these commits. */
function repository(messages: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'release-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' } });
  git('init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'cdk-backup-jobs', version: '1.2.0' }, null, 2));
  git('add', '.');
  git('commit', '-q', '-m', 'chore: release 1.2.0');
  git('tag', 'v1.2.0');
  for (const [i, message] of messages.entries()) {
    fs.writeFileSync(path.join(dir, `f${i}.txt`), message);
    git('add', '.');
    git('commit', '-q', '-m', message);
  }
  return dir;
}

const dryRun = (dir: string) => execFileSync(TOOL, ['--dry-run'], { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' } });

test.each([
  [['fix: a DESTROY copy waits for its end'], '1.2.1', ['### Bug Fixes', 'a DESTROY copy waits for its end']],
  [['feat: ScanJob', 'fix: restores are validated'], '1.3.0', ['### Features', 'ScanJob', '### Bug Fixes']],
  [['feat!: aws-cdk-lib 2.300 is the floor'], '2.0.0', ['⚠ BREAKING CHANGES', 'aws-cdk-lib 2.300 is the floor']],
])('%j gives %s and its changelog; the dry run changes nothing', (messages, version, changelog) => {
  const dir = repository(messages);
  const out = dryRun(dir);
  expect(out).toContain(`bumping version in package.json from 1.2.0 to ${version}`);
  for (const line of changelog) expect(out).toContain(line);
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version).toBe('1.2.0');
  expect(fs.existsSync(path.join(dir, 'CHANGELOG.md'))).toBe(false);
  expect(execFileSync('git', ['tag'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('v1.2.0');
});
