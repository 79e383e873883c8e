#!/usr/bin/env node
// Where the api's CPU time goes: reads a V8 CPU profile (`node --cpu-prof`) and sums the self time of its
// samples by package (`@nestjs/core`, `pino`, `prisma`, …, and our own code by library through the
// bundle's source map). Used by `npm run bench -- --profile`; also runs alone:
//   node tools/bench/profile.mjs <file.cpuprofile> [--requests N] [--top 25] [--stacks <functionName>]
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Pseudo-frames V8 adds: not code of any package. */
const SPECIAL = {
  '(idle)': 'idle',
  '(program)': '(program: V8, native, unattributed)',
  '(garbage collector)': '(garbage collector)',
  '(root)': 'idle',
};

/** Groups that are nobody's code in particular: charged to their caller in the `attributed` view. */
const UNATTRIBUTED = new Set(['node (core)', '(V8 builtins / native)', '(program: V8, native, unattributed)']);

const sourceMaps = new Map();
function sourceMapFor(url) {
  if (!sourceMaps.has(url)) {
    let map = null;
    try {
      const file = url.startsWith('file://') ? fileURLToPath(url) : url;
      if (existsSync(`${file}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = null;
    }
    sourceMaps.set(url, map);
  }
  return sourceMaps.get(url);
}

/** `@scope/name` or `name` of the last node_modules segment of a path. */
function packageOf(path) {
  const at = path.lastIndexOf('/node_modules/');
  const parts = path.slice(at + '/node_modules/'.length).split('/');
  const name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  return name === '.prisma' ? 'prisma' : name;
}

/** Our source file → its library or app (`libs/platform`, `apps/api`, …). */
function ownerOf(source) {
  const clean = source.replace(/^webpack:\/\/[^/]*\//, '').replace(/^\.\//, '');
  if (clean.includes('/node_modules/') || clean.startsWith('node_modules/')) return packageOf(`/${clean}`);
  const m = /(?:^|\/)(libs|apps)\/([^/]+)\/(.*)$/.exec(clean);
  if (!m) return clean.startsWith('webpack') ? 'webpack runtime' : `kirim (${clean.split('/').slice(-2).join('/')})`;
  if (m[1] === 'libs' && m[3].startsWith('src/generated/')) return 'prisma (generated client)';
  return `kirim ${m[1]}/${m[2]}`;
}

/** The package (or our library) a profile frame belongs to, and a readable location. */
function classify(frame) {
  const { functionName, url, lineNumber, columnNumber } = frame;
  if (!url) {
    if (SPECIAL[functionName]) return { group: SPECIAL[functionName], where: '' };
    return { group: '(V8 builtins / native)', where: '' };
  }
  if (url.startsWith('node:')) return { group: 'node (core)', where: url.replace(/^node:/, '') };
  // The only WebAssembly in the api is Prisma's query compiler (@prisma/client/runtime/*.wasm).
  if (url.startsWith('wasm://')) return { group: 'prisma (query compiler wasm)', where: url };
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (path.includes('/node_modules/')) {
    return { group: packageOf(path), where: path.slice(path.lastIndexOf('/node_modules/') + 14) + `:${lineNumber + 1}` };
  }
  const map = sourceMapFor(url);
  const entry = map?.findEntry(lineNumber, columnNumber);
  if (entry?.originalSource) {
    const source = entry.originalSource.replace(/^webpack:\/\/[^/]*\//, '');
    return { group: ownerOf(source), where: `${source.replace(/^.*?((libs|apps)\/)/, '$1')}:${(entry.originalLine ?? 0) + 1}` };
  }
  return { group: `kirim (${path.split('/').slice(-3).join('/')})`, where: `${path}:${lineNumber + 1}` };
}

/**
 * Sums self time by group and by function over the samples inside `window` ([fromUs, toUs] on the
 * profile's clock, CLOCK_MONOTONIC; all samples when omitted or when it does not overlap the profile).
 */
export function analyseProfile(file, { window, requests, top = 25 } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const info = new Map();
  const frameOf = (id) => {
    if (!info.has(id)) info.set(id, classify(byId.get(id).callFrame));
    return info.get(id);
  };
  // Node core and V8 builtins are charged to the nearest caller that is a package or our code: who
  // caused the socket write, the hashing, the async_hooks bookkeeping.
  const callerCache = new Map();
  const callerOf = (id) => {
    if (callerCache.has(id)) return callerCache.get(id);
    let at = id;
    let group = frameOf(id).group;
    while (UNATTRIBUTED.has(group) && parent.has(at)) {
      at = parent.get(at);
      const g = frameOf(at).group;
      if (g === 'idle') break;
      if (!UNATTRIBUTED.has(g)) group = g;
    }
    callerCache.set(id, group);
    return group;
  };
  // Every package on a sample's stack (each counted once): the inclusive cost of a layer.
  const stackCache = new Map();
  const stackGroups = (id) => {
    if (stackCache.has(id)) return stackCache.get(id);
    const set = new Set([frameOf(id).group]);
    if (parent.has(id)) for (const g of stackGroups(parent.get(id))) set.add(g);
    stackCache.set(id, set);
    return set;
  };

  let t = profile.startTime;
  const inWindow = window && window[0] < profile.endTime && window[1] > profile.startTime;
  const groups = new Map();
  const attributed = new Map();
  const inclusive = new Map();
  const functions = new Map();
  let busyUs = 0;
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    // A sample's time is the interval up to the next sample (the last one gets the mean interval).
    const next = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0;
    const dt = Math.max(0, next);
    if (inWindow && (t < window[0] || t > window[1])) continue;
    const id = profile.samples[i];
    const { group, where } = frameOf(id);
    totalUs += dt;
    if (group === 'idle') continue;
    busyUs += dt;
    groups.set(group, (groups.get(group) ?? 0) + dt);
    const caller = callerOf(id);
    attributed.set(caller, (attributed.get(caller) ?? 0) + dt);
    for (const g of stackGroups(id)) if (!UNATTRIBUTED.has(g) && g !== 'idle') inclusive.set(g, (inclusive.get(g) ?? 0) + dt);
    const node = byId.get(id);
    const key = `${node.callFrame.functionName || '(anonymous)'}\t${group}${caller !== group ? ` ← ${caller}` : ''}\t${where}`;
    functions.set(key, (functions.get(key) ?? 0) + dt);
  }
  const perRequest = (us) => (requests ? Math.round((us / requests) * 10) / 10 : undefined);
  const rows = (map, limit) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([key, us]) => ({
        key,
        ms: Math.round(us / 100) / 10,
        share: Math.round((us / busyUs) * 1000) / 10,
        us_per_request: perRequest(us),
      }));
  return {
    file,
    windowed: Boolean(inWindow),
    wall_ms: Math.round(totalUs / 1000),
    busy_ms: Math.round(busyUs / 1000),
    requests,
    busy_us_per_request: perRequest(busyUs),
    groups: rows(groups, 40).map(({ key, ...r }) => ({ package: key, ...r })),
    attributed: rows(attributed, 40).map(({ key, ...r }) => ({ package: key, ...r })),
    inclusive: rows(inclusive, 40).map(({ key, ...r }) => ({ package: key, ...r })),
    functions: rows(functions, top).map(({ key, ...r }) => {
      const [fn, group, where] = key.split('\t');
      return { function: fn, package: group, where, ...r };
    }),
  };
}

/** The analysis as text: packages, then the top functions. */
export function formatProfile(a, title = 'profile', { packages = 20 } = {}) {
  const row = (g) =>
    `    ${String(g.share).padStart(5)} %  ${String(g.ms).padStart(8)} ms${g.us_per_request !== undefined ? `  ${String(g.us_per_request).padStart(7)} µs/req` : ''}  ${g.package}`;
  const lines = [
    `${title}: ${a.busy_ms} ms CPU busy of ${a.wall_ms} ms${a.windowed ? ' (load window)' : ''}` +
      (a.requests ? `, ${a.requests} requests, ${a.busy_us_per_request} µs CPU per request` : ''),
    '  self time by package:',
    ...a.groups.slice(0, packages).map(row),
    '  self time by package, node core and V8 builtins charged to their caller:',
    ...a.attributed.slice(0, packages).map(row),
    '  inclusive (the package anywhere on the stack; shares overlap):',
    ...a.inclusive.slice(0, packages).map(row),
    '  top functions (self time):',
    ...a.functions.map((f) => `    ${String(f.share).padStart(5)} %  ${f.function}  [${f.package}]  ${f.where}`),
  ];
  return lines.join('\n');
}

/** The heaviest call stacks (by self time) that end in a function with this name: who calls it. */
export function stacksTo(file, functionName, { limit = 5, depth = 14 } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const stacks = new Map();
  for (const [id, count] of hits) {
    if (byId.get(id).callFrame.functionName !== functionName) continue;
    const frames = [];
    for (let at = id; at !== undefined && frames.length < depth; at = parent.get(at)) {
      const f = byId.get(at).callFrame;
      if (f.functionName === '(root)') break;
      const { group, where } = classify(f);
      frames.push(`${f.functionName || '(anonymous)'} [${group}] ${where}`);
    }
    const key = frames.join('\n');
    stacks.set(key, (stacks.get(key) ?? 0) + count);
  }
  return [...stacks.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, count]) => `${Math.round((count / total) * 1000) / 10} % of all samples:\n      ${key.split('\n').join('\n    ← ')}`)
    .join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const file = args[0]?.startsWith('--') ? undefined : args[0];
  const opt = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  if (!file) {
    console.error('usage: profile.mjs <file.cpuprofile> [--requests N] [--top 25] [--stacks <functionName>]');
    process.exit(2);
  }
  const stacksOf = args.indexOf('--stacks');
  if (stacksOf >= 0) {
    console.log(stacksTo(file, args[stacksOf + 1]) || `no samples in a function named ${args[stacksOf + 1]}`);
    process.exit(0);
  }
  console.log(formatProfile(analyseProfile(file, { requests: opt('--requests'), top: opt('--top') ?? 25 }), file));
}
