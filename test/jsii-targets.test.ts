/**
 * The other languages' packages, as `npm run pacmak` (jsii-pacmak --code-only,
 * part of `npm test`) generates them from the assembly into dist/jsii/. Only
 * the sources are generated here: building them needs each language's registry
 * (PyPI, Maven Central, NuGet, the Go proxy), which this machine cannot reach.
 * The Python sources are checked to parse with python3 when it is installed.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const OUT = path.join(__dirname, '..', 'dist', 'jsii');
const CONSTRUCTS = ['BackupJob', 'RestoreJob', 'ProtectedResource', 'RecoveryPoint'];

const SOURCES: Record<string, (type: string) => string> = {
  python: () => 'python/src/cdk_backup_jobs/__init__.py',
  java: (type) => `java/src/main/java/io/github/cdkbackupjobs/${type}.java`,
  dotnet: (type) => `dotnet/CdkBackupJobs/CdkBackupJobs/${type}.cs`,
  go: (type) => `go/cdkbackupjobs/${type}.go`,
};

beforeAll(() => {
  if (!fs.existsSync(OUT)) {
    throw new Error(`${OUT} is missing: run "npm run build && npm run pacmak" (npm test runs both)`);
  }
});

test.each(Object.keys(SOURCES))('jsii-pacmak generated the %s package with every construct', (language) => {
  for (const type of CONSTRUCTS) {
    const file = path.join(OUT, SOURCES[language](type));
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toMatch(new RegExp(`\\b(class|struct|type) ${type}\\b|class ${type}\\(`));
  }
});

test('the generated Python parses', () => {
  let python: string;
  try {
    python = execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('python3 is not installed: this check needs it (see CONTRIBUTING.md, The tests)');
  }
  expect(python).toMatch(/^Python 3\./);
  execFileSync('python3', ['-m', 'py_compile', path.join(OUT, SOURCES.python(''))], { stdio: 'pipe' });
});
