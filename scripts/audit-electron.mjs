#!/usr/bin/env node
// The Electron security audit: Electronegativity over the BUILT main, preload and renderer.
//
//   node scripts/audit-electron.mjs [distDir]     (default: dist, as `node scripts/build.mjs` makes it)
//
// Exits 1 when any finding of MEDIUM severity or above is left, when a file cannot be
// parsed (a file the checks cannot read would pass silently), when an input is missing,
// or when an `eng-disable` comment is malformed. LOW and informational findings are
// printed and do not fail.
//
// Disabling a finding in place: write, on the line just above the flagged code,
//
//   //! eng-disable OPEN_EXTERNAL_JS_CHECK — why this use is safe
//
// `//!` (or `/*! … */`) makes it a legal comment, the only kind esbuild keeps in the
// bundle (build.mjs sets legalComments: 'inline' so it stays where it was written).
// Electronegativity honours a disable only on the flagged line itself, and esbuild puts
// a kept comment on a line of its own, so the audit copy moves each such comment onto
// the code line below it (line numbers unchanged). Global checks (CSP, navigation limits,
// permission handler) cannot be disabled: they must find the real code.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The Electron the app is built against (package.json pins it; the binary is not needed). */
const ELECTRON_VERSION = '45.5.0';
const FAIL_AT = 'MEDIUM';
/**
 * AvailableSecurityFixesGlobalCheck downloads Electron's release list from GitHub to say
 * whether a newer patch exists. Offline it only waits and reports nothing; the Electron
 * version is pinned in package.json and updated with the lock file instead.
 */
const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'];

/** What is audited: built file → name in the audit copy (the directory loader reads .js and .html). */
const INPUTS = [
  ['main/main.js', 'main/main.js'],
  ['preload/preload.cjs', 'preload/preload.js'],
  ['renderer/app.js', 'renderer/app.js'],
  ['renderer/index.html', 'renderer/index.html'],
];

/**
 * Checks whose findings count as more severe than Electronegativity rates them. It rates
 * an explicit `nodeIntegration: true` (or a value it cannot read) INFORMATIONAL; for an app
 * that shows text from strangers, Node in the renderer is the worst case there is.
 */
const ESCALATE = { NODE_INTEGRATION_JS_CHECK: 'HIGH' };

const DISABLE = /eng-disable\b([^\n]*)/g;
/** `eng-disable ID[, ID…] — reason` (or `-- reason`, `: reason`); the reason has at least three words. */
const WELL_FORMED = /^[ \t]+([A-Z0-9_]+(?:[ \t]*,?[ \t]*[A-Z0-9_]+)*)[ \t]*(?:—|--|:)[ \t]*(\S+(?:\s+\S+){2,})/;

function fail(problems) {
  for (const problem of problems) console.error(`electron audit: ${problem}`);
  console.error(`electron audit: FAILED (${problems.length} problem(s))`);
  process.exit(1);
}

/** Every `eng-disable` in `text` must name atomic checks and say why. */
function checkDisableComments(file, text, knownChecks) {
  const problems = [];
  for (const match of text.matchAll(DISABLE)) {
    const line = text.slice(0, match.index).split('\n').length;
    const where = `${file}:${line}`;
    const body = match[1].replace(/\*\/.*$|-->.*$/, '');
    const parsed = WELL_FORMED.exec(body);
    if (parsed === null) {
      problems.push(`${where}: eng-disable needs check ids, then "—" and a reason (three words or more): ${match[0].trim()}`);
      continue;
    }
    for (const id of parsed[1].split(/[\s,]+/).filter(Boolean)) {
      if (/_GLOBAL_CHECK$/.test(id)) problems.push(`${where}: ${id} is a global check; it must find the real code, not be disabled`);
      else if (!knownChecks.has(id)) problems.push(`${where}: ${id} is not an Electronegativity check`);
    }
  }
  return problems;
}

/** TypeScript sources: a disable that is not a legal comment never reaches the bundle. */
function checkSources() {
  const problems = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|html)$/.test(name)) {
        const lines = readFileSync(path, 'utf8').split('\n');
        lines.forEach((line, i) => {
          if (/eng-disable/.test(line) && !/(\/\/!|\/\*!|<!--)\s*eng-disable/.test(line)) {
            problems.push(`${relative(root, path)}:${i + 1}: write eng-disable as a legal comment (//! or /*! */) so the build keeps it`);
          }
        });
      }
    }
  };
  for (const dir of ['src-main', 'src-renderer']) if (existsSync(join(root, dir))) walk(join(root, dir));
  return problems;
}

/**
 * The audit copy of a built script: class private members lowered (the auditor's parser,
 * escope, does not know `#field` and would skip the whole file), kept comments where they
 * were, and each eng-disable comment line joined to the code line below it.
 */
function auditCopy(code, format) {
  const lowered = transformSync(code, {
    loader: 'js',
    format,
    legalComments: 'inline',
    supported: {
      'class-private-field': false,
      'class-private-method': false,
      'class-private-accessor': false,
      'class-private-static-field': false,
      'class-private-static-method': false,
      'class-private-static-accessor': false,
      'class-private-brand-check': false,
      'class-static-blocks': false,
    },
  }).code;
  const lines = lowered.split('\n');
  for (let i = 0; i < lines.length - 1; i++) {
    const trimmed = lines[i].trim();
    const isDisableLine = /^(\/\/!?|\/\*!?)\s*eng-disable\b/.test(trimmed) && (trimmed.startsWith('//') || trimmed.endsWith('*/'));
    if (!isDisableLine) continue;
    let next = i + 1;
    while (next < lines.length && lines[next].trim() === '') next++;
    if (next >= lines.length) break;
    // Electronegativity reads `/* eng-disable …` (no `!`).
    const body = trimmed.startsWith('//') ? trimmed.replace(/^\/\/!?/, '').replace(/\*\//g, '') : trimmed.replace(/^\/\*!?/, '').replace(/\*\/$/, '');
    const comment = `/* ${body.trim()} */`;
    lines[next] = `${lines[next]} ${comment}`;
    lines[i] = '';
  }
  return lines.join('\n');
}

async function main() {
  const distDir = process.argv[2] !== undefined ? resolve(process.argv[2]) : join(root, 'dist');
  const problems = [];
  for (const [from] of INPUTS) {
    if (!existsSync(join(distDir, from))) problems.push(`${join(distDir, from)} is missing: run \`node scripts/build.mjs\` first`);
  }
  if (problems.length > 0) fail(problems);

  const checksDir = join(dirname(require.resolve('@doyensec/electronegativity/dist/runner.js')), 'finder/checks');
  const knownChecks = new Set();
  for (const kind of ['AtomicChecks', 'GlobalChecks']) {
    for (const file of readdirSync(join(checksDir, kind))) {
      if (!file.endsWith('.js') || file === 'index.js') continue;
      const id = /this\.id\s*=\s*["']([A-Z0-9_]+)["']/.exec(readFileSync(join(checksDir, kind, file), 'utf8'));
      if (id) knownChecks.add(id[1]);
    }
  }

  const copy = mkdtempSync(join(tmpdir(), 'simplechat-audit-'));
  try {
    for (const [from, to] of INPUTS) {
      const text = readFileSync(join(distDir, from), 'utf8');
      problems.push(...checkDisableComments(from, text, knownChecks));
      const out = join(copy, to);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, to.endsWith('.js') ? auditCopy(text, from.endsWith('.cjs') ? 'cjs' : 'esm') : text);
    }
    if (process.argv[2] === undefined) problems.push(...checkSources());

    const run = require('@doyensec/electronegativity/dist/runner.js');
    const result = await run(
      {
        input: copy,
        electronVersionOverride: ELECTRON_VERSION,
        excludeFromScan: EXCLUDED_CHECKS,
        customScan: [],
        isRelative: true,
        severitySet: 'INFORMATIONAL',
        confidenceSet: 'TENTATIVE',
      },
      false,
    );
    for (const error of result.errors) {
      problems.push(`${relative(copy, error.file)}: could not be parsed (${error.message}); its checks did not run`);
    }
    const rank = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 2, HIGH: 3 };
    const findings = result.issues.map((issue) => ({
      id: issue.id,
      severity: ESCALATE[issue.id] ?? issue.severity.name,
      confidence: issue.confidence.name,
      // Lines of the audit copy (private members lowered); the sample shows the code.
      where: `${issue.file}:${issue.location.line}:${issue.location.column}`,
      sample: (issue.sample ?? '').trim().slice(0, 160),
      description: issue.description,
    }));
    const blocking = findings.filter((f) => rank[f.severity] >= rank[FAIL_AT]);
    for (const f of findings) {
      const line = `${f.severity} ${f.confidence} ${f.id} at ${f.where}: ${f.description}${f.sample ? `\n    ${f.sample}` : ''}`;
      if (rank[f.severity] >= rank[FAIL_AT]) problems.push(line);
      else console.log(`electron audit: note: ${line}`);
    }
    console.log(
      `electron audit: ${result.globalChecks} global and ${result.atomicChecks} atomic checks over ${INPUTS.map(([f]) => f).join(', ')}; ` +
        `${blocking.length} finding(s) at ${FAIL_AT} or above, ${findings.length - blocking.length} below`,
    );
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  if (problems.length > 0) fail(problems);
  console.log('electron audit: passed');
}

await main();
