import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layers by folder (DESIGN.md): shared imports nothing outside itself; the renderer
// never imports electron, ws or node built-ins; only src-main/app may import electron.
const root = resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.ts$/.test(name)) out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

function violations(folder: string, forbidden: (spec: string, file: string) => boolean): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(join(root, folder))) {
    for (const spec of importsOf(file)) {
      if (forbidden(spec, file)) found.push(`${relative(root, file)} imports ${spec}`);
    }
  }
  return found;
}

const outside = (folder: string) => (spec: string, file: string) => {
  if (!spec.startsWith('.')) return false;
  const target = relative(join(root, folder), resolve(dirname(file), spec));
  return target.startsWith('..');
};

describe('layers', () => {
  it('the import scanner sees static, dynamic and require imports', () => {
    const sample = `import { a } from './x';\nexport * from "y";\nconst z = await import('z');\nrequire('w');`;
    expect([...sample.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3])).toEqual(['./x', 'y', 'z', 'w']);
  });

  it('src-shared imports nothing outside itself, no packages and no node built-ins', () => {
    expect(violations('src-shared', (spec, file) => !spec.startsWith('.') || outside('src-shared')(spec, file))).toEqual([]);
  });

  it('src-renderer never imports electron, ws, node built-ins or src-main', () => {
    const banned = (spec: string, file: string) =>
      spec === 'electron' || spec === 'ws' || spec.startsWith('node:') ||
      (spec.startsWith('.') && relative(root, resolve(dirname(file), spec)).startsWith('src-main'));
    expect(violations('src-renderer', banned)).toEqual([]);
  });

  it('only src-main/app and the preload import electron', () => {
    const banned = (spec: string, file: string) =>
      spec === 'electron' && !relative(root, file).startsWith(join('src-main', 'app')) && !file.endsWith('preload.ts');
    expect(violations('src-main', banned)).toEqual([]);
  });
});
