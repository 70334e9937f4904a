// Native modules (better-sqlite3) are built for one runtime at a time: Node's for tests and
// the browser host, Electron's for the desktop app. Rebuild only when the target changes,
// never in postinstall. Usage: node scripts/native-modules.mjs node|electron
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const target = process.argv[2];
if (target !== 'node' && target !== 'electron') {
  console.error('usage: node scripts/native-modules.mjs node|electron');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const moduleDir = dirname(require.resolve('better-sqlite3/package.json'));
const marker = join(moduleDir, 'build', '.built-for');
const builtFor = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : 'node';

function loadsInNode() {
  try {
    execFileSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

if (target === 'node' && (builtFor !== 'node' || !loadsInNode())) {
  console.log('Rebuilding better-sqlite3 for Node…');
  execFileSync('npm', ['rebuild', 'better-sqlite3'], { stdio: 'inherit' });
  writeFileSync(marker, 'node\n');
} else if (target === 'electron' && builtFor !== 'electron') {
  console.log('Rebuilding better-sqlite3 for Electron…');
  execFileSync('npx', ['electron-rebuild', '--force', '--only', 'better-sqlite3'], {
    stdio: 'inherit',
  });
  writeFileSync(marker, 'electron\n');
}
