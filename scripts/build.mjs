#!/usr/bin/env node
// Builds dist/ with esbuild: the standalone server, Electron's main and preload, the renderer.
// `node scripts/build.mjs [target…]` builds the named targets only (server, main, preload, renderer).
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.env.NODE_ENV === 'development';

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Runtime packages come from node_modules (and the asar); our code is bundled.
  packages: 'external',
  sourcemap: dev,
  logLevel: 'warning',
};

const targets = {
  server: {
    ...node,
    entryPoints: ['src-main/server/cli.ts'],
    outfile: 'dist/server/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
  main: {
    ...node,
    target: 'node22',
    entryPoints: ['src-main/app/main.ts'],
    outfile: 'dist/main/main.js',
    // Keeps `//! eng-disable …` comments where they were written, for the audit (scripts/audit-electron.mjs).
    legalComments: 'inline',
  },
  // A sandboxed preload can only be one CommonJS file that requires nothing but 'electron'.
  preload: {
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['electron'],
    entryPoints: ['src-main/preload.ts'],
    outfile: 'dist/preload/preload.cjs',
    legalComments: 'inline',
    sourcemap: dev,
    logLevel: 'warning',
  },
  renderer: {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'esm',
    entryPoints: { app: 'src-renderer/main.ts' },
    outdir: 'dist/renderer',
    // What the first screen does not need (the invite's QR code, …) is a chunk loaded on first use.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    // Gender icons are imported by user-list.ts and live inside app.js as data: URLs.
    loader: { '.svg': 'dataurl' },
    legalComments: 'inline',
    sourcemap: dev,
    minify: !dev,
    logLevel: 'warning',
  },
  // `npm run bench`: the orchestrator, the load generator (its own process) and the yardstick server.
  bench: {
    ...node,
    entryPoints: ['bench/run.ts', 'bench/load-generator.ts', 'bench/yardstick-server.ts', 'bench/files-bench.ts'],
    outdir: 'dist/bench',
  },
};

/*
 * app.js imports the chunks it shares with the lazy ones: the browser would only find
 * them once app.js is parsed, a round trip later. index.html names them up front.
 */
function preloadStaticChunks(metafile) {
  const entry = metafile.outputs['dist/renderer/app.js'];
  const chunks = (entry?.imports ?? []).filter((i) => i.kind === 'import-statement').map((i) => i.path.replace(/^dist\/renderer\//, './'));
  const file = join(root, 'dist/renderer/index.html');
  const html = readFileSync(file, 'utf8');
  const script = '<script type="module" src="./app.js"></script>';
  if (!html.includes(script)) throw new Error(`index.html has no ${script}`);
  const links = chunks.map((href) => `<link rel="modulepreload" href="${href}" />\n    `).join('');
  writeFileSync(file, html.replace(script, `${links}${script}`));
}

function copyRendererStatic() {
  mkdirSync(join(root, 'dist/renderer/assets'), { recursive: true });
  for (const file of ['index.html', 'styles.css']) {
    const from = join(root, 'src-renderer', file);
    if (existsSync(from)) cpSync(from, join(root, 'dist/renderer', file));
  }
  for (const file of ['icon.svg']) {
    const from = join(root, 'assets', file);
    if (existsSync(from)) cpSync(from, join(root, 'dist/renderer/assets', file));
  }
}

/*
 * A guest on a phone pays for every byte: each text file of the web UI gets a Brotli
 * and a gzip sibling, made once here at the highest levels (too slow to do per
 * request), served by src-main/server/static-files.ts to clients that accept them.
 */
const COMPRESSIBLE = new Set(['.js', '.css', '.html', '.svg', '.json', '.webmanifest', '.txt']);

function precompress(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      precompress(path);
      continue;
    }
    if (!COMPRESSIBLE.has(extname(name))) continue;
    const bytes = readFileSync(path);
    const br = brotliCompressSync(bytes, {
      params: {
        [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
        [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
        [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    });
    const gz = gzipSync(bytes, { level: 9 });
    // A sibling that saves nothing would only cost the server a stat.
    if (br.length < bytes.length) writeFileSync(`${path}.br`, br);
    if (gz.length < bytes.length) writeFileSync(`${path}.gz`, gz);
  }
}

const wanted = process.argv.slice(2);
for (const name of wanted) if (!(name in targets)) throw new Error(`unknown build target: ${name}`);
const names = wanted.length > 0 ? wanted : Object.keys(targets);

process.chdir(root);
for (const name of names) {
  const options = targets[name];
  if (name === 'renderer') rmSync('dist/renderer', { recursive: true, force: true });
  const result = await build(options);
  if (name === 'renderer') {
    copyRendererStatic();
    preloadStaticChunks(result.metafile);
    precompress(join(root, 'dist/renderer'));
  }
}
