#!/usr/bin/env node
/**
 * Folder-level import cycles, which dependency-cruiser's file-level
 * `no-circular` cannot see: a slice (the first folder under apps/<app>/src)
 * that imports from another slice which, directly or through other slices,
 * imports back. Root files (the Nest module, main.ts) wire everything and are
 * left out. Spec files are left out too. Run by `npm run lint`.
 */
import { execFileSync } from 'node:child_process';

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
for (const module of modules) {
  const from = SLICE.exec(module.source);
  if (!from || isSpec(module.source)) continue;
  for (const dep of module.dependencies) {
    const to = SLICE.exec(dep.resolved);
    if (!to || to[1] !== from[1] || to[2] === from[2]) continue;
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

if (components.length === 0) {
  process.stdout.write(`folder-cycles: no folder-level import cycle (${edges.size} slices)\n`);
  process.exit(0);
}
for (const component of components) {
  process.stderr.write(`folder-cycles: these folders import each other: ${component.join(', ')}\n`);
  for (const a of component)
    for (const [b, example] of edges.get(a) ?? [])
      if (component.includes(b)) process.stderr.write(`  ${a} -> ${b}   e.g. ${example}\n`);
}
process.exit(1);
