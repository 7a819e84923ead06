/**
 * API.md is the jsii-docgen rendering of the assembly `npm run build` writes
 * (.jsii): a change to the public API without `npm run docgen` fails here.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { Documentation, Language } from 'jsii-docgen';

const root = path.join(__dirname, '..');

test('API.md is the current rendering of the public API (npm run docgen writes it)', async () => {
  const docs = await Documentation.forProject(root);
  try {
    const rendered = (await docs.toMarkdown({ language: Language.TYPESCRIPT, allSubmodules: true })).render();
    const committed = readFileSync(path.join(root, 'API.md'), 'utf8');
    if (rendered !== committed) {
      throw new Error('API.md is stale: the public API changed. Run "npm run docgen" and commit API.md.');
    }
    // The public API is the constructs and what a composer needs, nothing internal.
    expect(rendered).toContain('### BackupJob ');
    expect(rendered).toContain('### RestoreJob ');
    expect(rendered).not.toContain('BackupJobProvider');
  } finally {
    await docs.cleanup();
  }
}, 120_000);
