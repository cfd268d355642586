#!/usr/bin/env node
/**
 * The structure of a checkout in figures, printed as markdown:
 *
 *   node scripts/measure/structure.mjs [CHECKOUT]   (default: this one)
 *
 * - production lines per app (apps/okta-collector, apps/evidence-projector,
 *   each libs/* and tools/*); production = .ts files that are not *.spec.ts,
 *   *.testing.ts, *.d.ts or under a test/ folder;
 * - the 10 largest production files;
 * - the 10 longest functions and methods (function-like nodes of the
 *   TypeScript compiler, start to end line);
 * - duplicated blocks of six lines or more in production code under apps/
 *   and libs/, counted in pairs, where a `duplicates` command is on PATH;
 * - the folder graph of production code: folders, import arrows between
 *   folders, folder cycles, and arrows that run back up (those that point to a
 *   folder the DFS is still inside: none when the graph is acyclic).
 *
 * TypeScript is loaded from this repository's node_modules, so a checkout
 * without one (an old commit in a worktree) can be measured too.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, resolve } from 'node:path';

const here = dirname(new URL(import.meta.url).pathname);
const ts = createRequire(join(here, '..', '..', 'package.json'))('typescript');
const root = resolve(process.argv[2] ?? join(here, '..', '..'));

// ---------------------------------------------------------------- files

/** Every file of the checkout, relative, with `/`: what git tracks, else a walk. */
function listFiles() {
  try {
    const out = execFileSync('git', ['-C', root, 'ls-files', '-z'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return out.split('\0').filter((f) => f && existsSync(join(root, f)));
  } catch {
    const out = [];
    const walk = (dir) => {
      for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
        if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
        const path = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(path);
        else out.push(path);
      }
    };
    walk('');
    return out;
  }
}

const isProduction = (path) =>
  /^(apps|libs|tools)\//.test(path) &&
  path.endsWith('.ts') &&
  !/\.(spec|testing|d)\.ts$/.test(path) &&
  !/(^|\/)test\//.test(path);

/** The unit a file counts under: apps/<app>, libs/<lib>, tools/<tool>. */
const unitOf = (path) => path.split('/').slice(0, 2).join('/');

const files = listFiles().filter(isProduction).sort();
const text = new Map(files.map((f) => [f, readFileSync(join(root, f), 'utf8')]));
const lineCount = (source) => {
  if (source.length === 0) return 0;
  const n = source.split('\n').length;
  return source.endsWith('\n') ? n - 1 : n;
};
const lines = new Map(files.map((f) => [f, lineCount(text.get(f))]));

const out = [];
const print = (line = '') => out.push(line);
const table = (head, rows) => {
  print(`| ${head.join(' | ')} |`);
  print(`| ${head.map((h, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
  for (const row of rows) print(`| ${row.join(' | ')} |`);
  print();
};
const fmt = (n) => n.toLocaleString('en-US');

let head = '';
try {
  head = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], {
    encoding: 'utf8',
  }).trim();
} catch {
  head = 'not a git checkout';
}
print(`## Structure of ${relative(process.cwd(), root) || '.'} (${head})`);
print();

// ---------------------------------------------------------------- lines per app

const units = new Map();
for (const f of files) {
  const u = units.get(unitOf(f)) ?? { files: 0, lines: 0 };
  u.files += 1;
  u.lines += lines.get(f);
  units.set(unitOf(f), u);
}
const order = (u) =>
  ['apps/okta-collector', 'apps/evidence-projector'].indexOf(u) + 1 ||
  (u.startsWith('libs/') ? 10 : 20);
const unitRows = [...units.entries()].sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b));
print('### Production lines per app');
print();
table(
  ['app', 'files', 'lines'],
  [
    ...unitRows.map(([u, { files: n, lines: l }]) => [u, fmt(n), fmt(l)]),
    ...['apps/', 'libs/', 'tools/'].map((p) => {
      const of = unitRows.filter(([u]) => u.startsWith(p));
      return [
        `**${p} total**`,
        fmt(of.reduce((s, [, u]) => s + u.files, 0)),
        fmt(of.reduce((s, [, u]) => s + u.lines, 0)),
      ];
    }),
    ['**all**', fmt(files.length), fmt([...lines.values()].reduce((a, b) => a + b, 0))],
  ],
);

// ---------------------------------------------------------------- largest files

const largest = [...files].sort((a, b) => lines.get(b) - lines.get(a) || a.localeCompare(b));
print('### The 10 largest production files');
print();
table(
  ['file', 'lines'],
  largest.slice(0, 10).map((f) => [`\`${f}\``, fmt(lines.get(f))]),
);
print(`Files over 500 lines: ${largest.filter((f) => lines.get(f) > 500).length}.`);
print();

// ---------------------------------------------------------------- longest functions

const sources = new Map(
  files.map((f) => [f, ts.createSourceFile(f, text.get(f), ts.ScriptTarget.Latest, true)]),
);

const idOf = (n) =>
  n && (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isPrivateIdentifier(n))
    ? n.text
    : n?.getText();
/** `Class.` when `member` is a member of a class, else nothing. */
const ownerOf = (member) => {
  const c = member.parent;
  return c && (ts.isClassDeclaration(c) || ts.isClassExpression(c))
    ? `${idOf(c.name) ?? '(class)'}.`
    : '';
};
/** A readable name for a function-like node: Class.method, or the variable or property it is bound to. */
function nameOf(node) {
  if (ts.isConstructorDeclaration(node)) return `${ownerOf(node)}constructor`;
  if (ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node))
    return `${ownerOf(node)}${idOf(node.name)}`;
  if (ts.isFunctionDeclaration(node)) return idOf(node.name) ?? '(default function)';
  if (ts.isFunctionExpression(node) && node.name) return idOf(node.name);
  const p = node.parent;
  if (ts.isVariableDeclaration(p)) return idOf(p.name);
  if (ts.isPropertyDeclaration(p)) return `${ownerOf(p)}${idOf(p.name)}`;
  if (ts.isPropertyAssignment(p)) return idOf(p.name);
  return '(anonymous)';
}

const functions = [];
for (const [f, sf] of sources) {
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      functions.push({ file: f, name: nameOf(node), start, end, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}
functions.sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.start - b.start);
print('### The 10 longest functions and methods');
print();
table(
  ['function', 'where', 'lines'],
  functions
    .slice(0, 10)
    .map((fn) => [`\`${fn.name}\``, `\`${fn.file}:${fn.start}\``, fmt(fn.lines)]),
);
const over = (n) => functions.filter((fn) => fn.lines > n).length;
print(
  `Function-like bodies: ${fmt(functions.length)}; over 50 lines: ${over(50)}; over 100 lines: ${over(100)}.`,
);
print();

// ---------------------------------------------------------------- duplicated blocks

print('### Duplicated blocks (six lines or more), production code under apps/ and libs/');
print();
const hasDuplicates = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v duplicates'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasDuplicates) {
  print('Not measured: no `duplicates` command on PATH.');
  print();
} else {
  // Only production files, so the command reads neither specs nor test helpers.
  const copy = mkdtempSync(join(tmpdir(), 'structure-'));
  try {
    for (const f of files.filter((p) => /^(apps|libs)\//.test(p)))
      cpSync(join(root, f), join(copy, f));
    const report = execFileSync(
      'duplicates',
      ['--repo', copy, '--min-lines', '6', '--most', '200', '--seconds', '120'],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const rows = report.split('\n').filter((l) => /^D\d+ /.test(l));
    const first = report.split('\n')[0] ?? '';
    const pairs =
      /^(\d+) pairs?/.exec(first)?.[1] ?? (first.startsWith('no duplicates') ? '0' : '?');
    const exact = rows.filter((r) => !/ shape( |$)/.test(r)).length;
    const shapeOnly = rows.filter((r) => / shape( |$)/.test(r) && !/boilerplate/.test(r)).length;
    const boilerplate = rows.filter((r) => /boilerplate/.test(r)).length;
    table(
      ['pairs', 'same lines', 'same shape', 'boilerplate (shape)'],
      [[pairs, String(exact), String(shapeOnly), String(boilerplate)]],
    );
    print(`\`${first.trim()}\``);
    print();
    for (const row of rows.filter((r) => !/boilerplate/.test(r)).slice(0, 10))
      print(`- \`${row.trim()}\``);
    const rest = report.split('\n').filter((l) => /^(left out|incomplete):/.test(l));
    for (const line of rest) print(`- ${line.trim()}`);
    print();
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- folder graph

/** tsconfig `paths` of the checkout: '@regentra/contracts' -> 'libs/contracts/src/index.ts'. */
const aliases = (() => {
  const file = join(root, 'tsconfig.json');
  if (!existsSync(file)) return new Map();
  const { config } = ts.readConfigFile(file, ts.sys.readFile);
  const paths = config?.compilerOptions?.paths ?? {};
  return new Map(Object.entries(paths).map(([k, [v]]) => [k, v]));
})();
const production = new Set(files);
function resolveImport(from, spec) {
  let base;
  if (spec.startsWith('.')) base = posix.normalize(posix.join(posix.dirname(from), spec));
  else if (aliases.has(spec)) base = aliases.get(spec).replace(/\.ts$/, '');
  else return undefined;
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`])
    if (production.has(candidate)) return candidate;
  return undefined;
}

const folderOf = (f) => posix.dirname(f);

/** The folder graph of `measured` files: folders, arrows, cycles, arrows back up, floors. */
function folderGraph(measured) {
  const inGraph = new Set(measured);
  const folders = new Set(measured.map(folderOf));
  const edges = new Map(); // folder -> Set(folder)
  let fileArrows = 0;
  for (const f of measured) {
    const { importedFiles } = ts.preProcessFile(text.get(f), true, true);
    for (const { fileName } of importedFiles) {
      const to = resolveImport(f, fileName);
      if (!to || !inGraph.has(to)) continue;
      fileArrows += 1;
      const a = folderOf(f);
      const b = folderOf(to);
      if (a === b) continue;
      if (!edges.has(a)) edges.set(a, new Set());
      edges.get(a).add(b);
    }
  }
  const arrows = [...edges.values()].reduce((s, set) => s + set.size, 0);
  const next = (v) => [...(edges.get(v) ?? [])].sort();

  // Strongly connected components (Tarjan): a component of two folders or more is a cycle.
  let index = 0;
  const indexOf = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  const strong = (v) => {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!indexOf.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), indexOf.get(w)));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of [...folders].sort()) if (!indexOf.has(v)) strong(v);

  // Arrows that run back up: in a depth-first walk, an arrow to a folder still being walked.
  const state = new Map(); // 1 = on the path, 2 = done
  const backUp = [];
  const walk = (v) => {
    state.set(v, 1);
    for (const w of next(v)) {
      if (state.get(w) === 1) backUp.push(`${v} -> ${w}`);
      else if (!state.has(w)) walk(w);
    }
    state.set(v, 2);
  };
  for (const v of [...folders].sort()) if (!state.has(v)) walk(v);

  // Floors: a folder stands one above the highest folder it imports (an arrow back up not followed).
  const floor = new Map();
  const floorOf = (v, path = new Set()) => {
    if (floor.has(v)) return floor.get(v);
    if (path.has(v)) return 0;
    path.add(v);
    const below = next(v).map((w) => floorOf(w, path));
    path.delete(v);
    const n = below.length ? Math.max(...below) + 1 : 1;
    floor.set(v, n);
    return n;
  };
  const floors = Math.max(0, ...[...folders].map((v) => floorOf(v)));
  return { folders: folders.size, arrows, fileArrows, floors, cycles, backUp };
}

/** A file directly in apps/<app>/src: the Nest module and main.ts, which wire every slice. */
const isAppRoot = (f) => /^apps\/[^/]+\/src\/[^/]+$/.test(f);
const graphs = [
  ['every folder', folderGraph(files)],
  ['app root files left out', folderGraph(files.filter((f) => !isAppRoot(f)))],
];

print('### Folder graph (production code of apps/, libs/, tools/)');
print();
table(
  [
    'measured',
    'folders',
    'import arrows between folders',
    'floors',
    'folder cycles',
    'arrows that run back up',
  ],
  graphs.map(([what, g]) => [
    what,
    String(g.folders),
    String(g.arrows),
    String(g.floors),
    String(g.cycles.length),
    String(g.backUp.length),
  ]),
);
print(
  `Arrows are distinct folder -> folder pairs (${fmt(graphs[0][1].fileArrows)} resolved file imports in all, those within one folder included). ` +
    "A folder is a directory; the second row leaves out the files directly in apps/<app>/src (the Nest module, main.ts), which wire every slice, as the repo's folder-cycles lint does.",
);
for (const [what, g] of graphs) {
  for (const c of g.cycles) print(`- ${what}: cycle ${c.join(', ')}`);
  for (const a of g.backUp) print(`- ${what}: back up ${a}`);
}
print();

process.stdout.write(out.join('\n'));
