// Every string key the renderer's code names literally exists in both languages: a key
// missing from the locales would show on screen as "queue.tabs.mine". Keys built at run time
// from domain codes are covered by renderer-locales.test.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LANGUAGES, resources } from '../../renderer/src/locales';

const RENDERER = join(process.cwd(), 'renderer', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && name !== 'locales.ts' ? [path] : [];
  });
}

/** t('a.b'), t("a.b"), i18n.t('a.b'), i18nKey="a.b": the literal keys, with their file. */
function literalKeys(): { key: string; file: string }[] {
  const found: { key: string; file: string }[] = [];
  const patterns = [
    /\bt\(\s*'([A-Za-z][\w.-]*)'/g,
    /\bt\(\s*"([A-Za-z][\w.-]*)"/g,
    /i18nKey="([\w.-]+)"/g,
  ];
  for (const file of sourceFiles(RENDERER)) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern)) found.push({ key: match[1]!, file });
    }
  }
  return found;
}

function lookup(tree: unknown, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>(
      (node, part) =>
        node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined,
      tree,
    );
}

describe('the keys the renderer uses', () => {
  const keys = literalKeys();

  it('finds the renderer’s keys (the scan itself works)', () => {
    expect(keys.length).toBeGreaterThan(200);
  });

  it.each(LANGUAGES)('are all strings (or plural forms) in %s', (language) => {
    const translation = resources[language].translation;
    const missing = keys
      .filter(({ key }) => {
        const value = lookup(translation, key);
        const plural = lookup(translation, `${key}_other`);
        return typeof value !== 'string' && typeof plural !== 'string';
      })
      .map(({ key, file }) => `${key} (${file.slice(RENDERER.length + 1)})`);
    expect([...new Set(missing)]).toEqual([]);
  });
});
