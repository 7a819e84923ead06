// The notices of the third-party code the bundles carry (the AWS SDK, commander, ...): every package
// esbuild put into a bundle (its metafile's inputs under node_modules), its version, its license and the
// license's own text (with a NOTICE file, where the package has one), written to
// dist/THIRD_PARTY_LICENSES, which the package ships. A package whose license is not one of ALLOWED
// (or that states none) fails the build, naming it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The licenses the bundles may carry: permissive ones whose notice this file gives. */
export const ALLOWED = ['MIT', 'Apache-2.0', 'ISC', 'BSD-2-Clause', 'BSD-3-Clause', '0BSD'];

/** The package directories a bundle's inputs come from (node_modules/<name> or node_modules/@scope/<name>). */
export function packageDirs(inputs, root) {
  const dirs = new Set();
  for (const input of inputs) {
    const parts = input.split(/[\\/]/);
    const at = parts.lastIndexOf('node_modules');
    if (at < 0) continue;
    const length = parts[at + 1]?.startsWith('@') ? 3 : 2;
    dirs.add(join(root, ...parts.slice(0, at + length)));
  }
  return [...dirs].sort();
}

/** A package's license as its package.json states it (an SPDX expression), or undefined. */
function licenseOf(pkg) {
  if (typeof pkg.license === 'string') return pkg.license;
  if (pkg.license?.type) return pkg.license.type;
  if (Array.isArray(pkg.licenses)) return pkg.licenses.map((l) => l.type ?? l).join(' OR ');
  return undefined;
}

/** Whether an SPDX expression lets the bundles carry the package: every AND part, any OR alternative, allowed. */
export function allowed(expression) {
  const clean = expression.replace(/[()]/g, ' ').trim();
  return clean.split(/\s+AND\s+/).every((part) => part.split(/\s+OR\s+/).some((alternative) => ALLOWED.includes(alternative.trim())));
}

/** The notice of each package (its license text, and NOTICE), and the packages whose license is not allowed. */
export function notices(dirs) {
  const sections = [];
  const problems = [];
  const seen = new Set();
  for (const dir of dirs) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const id = `${pkg.name}@${pkg.version}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const license = licenseOf(pkg);
    if (!license) problems.push(`${id} states no license`);
    else if (!allowed(license)) problems.push(`${id} is licensed ${license}, which is not one of ${ALLOWED.join(', ')}`);
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^(licen[cs]e|copying|notice)/i.test(f)).sort() : [];
    const texts = files.map((f) => readFileSync(join(dir, f), 'utf8').trim());
    sections.push([`${id} (${license ?? 'no license stated'})${pkg.homepage ? ` ${pkg.homepage}` : ''}`, ...(texts.length ? texts : [`${license} (the package ships no license file; its package.json states the license)`])].join('\n\n'));
  }
  return { text: sections.join(`\n\n${'-'.repeat(78)}\n\n`), problems, count: seen.size };
}

/** The file's text for the bundles' metafiles, or throws naming every package whose license is not allowed. */
export function thirdPartyLicenses(metafiles, root) {
  const inputs = metafiles.flatMap((m) => Object.keys(m.inputs));
  const { text, problems, count } = notices(packageDirs(inputs, root));
  if (problems.length > 0) throw new Error(`The bundles would carry code under licenses this package does not allow:\n  - ${problems.join('\n  - ')}`);
  const header = `cdk-backup-jobs bundles the following third-party packages (${count}) into its Lambda handlers and its CLI\n(dist/handlers, dist/cli). Their licenses and notices follow.`;
  return { text: `${header}\n\n${'='.repeat(78)}\n\n${text}\n`, count };
}

