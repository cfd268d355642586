#!/usr/bin/env node
/**
 * Folder-level import cycles, which dependency-cruiser's file-level
 * `no-circular` cannot see: a slice (the first folder under apps/<app>/src)
 * that imports from another slice which, directly or through other slices,
 * imports back. Root files (the Nest module, main.ts) wire everything and are
 * left out. Spec files are left out too. Run by `npm run lint`.
 *
 * From the same graph: a `*.repository.ts` that another slice imports (its
 * named methods are how other slices reach its collections; a `*.store.ts`
 * stays private to its slice, `slice-owns-its-collections` in
 * .dependency-cruiser.js) keeps its collections to itself: no member that is
 * not private may be typed `Collection<…>` (a field, a constructor parameter
 * property, an accessor's or method's declared return type).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import ts from 'typescript';

const SLICE = /^apps\/([^/]+)\/src\/([^/]+)\//;
const isSpec = (path) => /\.spec\.ts$/.test(path);

const json = execFileSync(
  process.execPath,
  [
    'node_modules/dependency-cruiser/bin/dependency-cruise.mjs',
    'apps',
    '--config',
    '.dependency-cruiser.js',
    '--output-type',
    'json',
  ],
  { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
);
const { modules } = JSON.parse(json);

/** slice -> slice -> one example import "from -> to" */
const edges = new Map();
/** repository file -> one slice file importing it from another slice */
const sharedRepositories = new Map();
for (const module of modules) {
  const from = SLICE.exec(module.source);
  if (!from || isSpec(module.source)) continue;
  for (const dep of module.dependencies) {
    const to = SLICE.exec(dep.resolved);
    if (!to || to[1] !== from[1] || to[2] === from[2]) continue;
    if (/\.repository\.ts$/.test(dep.resolved) && !sharedRepositories.has(dep.resolved))
      sharedRepositories.set(dep.resolved, module.source);
    const a = `${from[1]}/${from[2]}`;
    const b = `${to[1]}/${to[2]}`;
    if (!edges.has(a)) edges.set(a, new Map());
    if (!edges.get(a).has(b)) edges.get(a).set(b, `${module.source} -> ${dep.resolved}`);
  }
}

// Tarjan's strongly connected components: every component of more than one slice is a cycle.
let index = 0;
const indexOf = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const components = [];
function visit(v) {
  indexOf.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!indexOf.has(w)) {
      visit(w);
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
    if (component.length > 1) components.push(component.sort());
  }
}
for (const v of edges.keys()) if (!indexOf.has(v)) visit(v);

/** Members of the file's classes that are not private and are typed with a Collection. */
function exposedCollections(path) {
  const source = ts.createSourceFile(
    path,
    readFileSync(path, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const isPrivate = (node) =>
    (node.name && ts.isPrivateIdentifier(node.name)) ||
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword);
  const typedCollection = (node) =>
    node.type !== undefined && /\bCollection</.test(node.type.getText(source));
  const found = [];
  const where = (node) =>
    `${path}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  ts.forEachChild(source, function visit(node) {
    if (ts.isClassLike(node)) {
      for (const member of node.members) {
        if (ts.isConstructorDeclaration(member)) {
          for (const param of member.parameters)
            if (
              ts.isParameterPropertyDeclaration(param, member) &&
              !isPrivate(param) &&
              typedCollection(param)
            )
              found.push(where(param));
        } else if (!isPrivate(member) && typedCollection(member)) found.push(where(member));
      }
    }
    ts.forEachChild(node, visit);
  });
  return found;
}

const leaks = [...sharedRepositories].flatMap(([path, importer]) =>
  exposedCollections(path).map((at) => `${at} (imported by ${importer})`),
);

for (const component of components) {
  process.stderr.write(`folder-cycles: these folders import each other: ${component.join(', ')}\n`);
  for (const a of component)
    for (const [b, example] of edges.get(a) ?? [])
      if (component.includes(b)) process.stderr.write(`  ${a} -> ${b}   e.g. ${example}\n`);
}
for (const leak of leaks)
  process.stderr.write(
    `folder-cycles: a repository another slice imports exposes a collection (make it private): ${leak}\n`,
  );
if (components.length > 0 || leaks.length > 0) process.exit(1);
process.stdout.write(
  `folder-cycles: no folder-level import cycle (${edges.size} slices); ${sharedRepositories.size} repositories used across slices keep their collections private\n`,
);
