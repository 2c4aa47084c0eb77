/**
 * Keeps the SLDS rules a page can use. The full stylesheet is ~1 MB; a rule survives when one of its
 * selectors names only classes that appear in the bundle or the page (or that a template builds from a
 * prefix, as in `slds-icon_${size}`). Element-only selectors, @font-face, @keyframes and custom properties
 * are kept as they are.
 */

interface Block {
  prelude: string;
  body: string | null; // null for a statement such as @charset "UTF-8";
}

function parseBlocks(css: string): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  let start = 0;
  while (i < css.length) {
    const ch = css[i];
    if (ch === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      i = end === -1 ? css.length : end + 2;
      start = i;
      continue;
    }
    if (ch === '"' || ch === "'") {
      i = skipString(css, i);
      continue;
    }
    if (ch === ';') {
      const prelude = css.slice(start, i).trim();
      if (prelude) blocks.push({ prelude, body: null });
      i++;
      start = i;
      continue;
    }
    if (ch === '{') {
      const prelude = css.slice(start, i).trim();
      const end = matchingBrace(css, i);
      blocks.push({ prelude, body: css.slice(i + 1, end) });
      i = end + 1;
      start = i;
      continue;
    }
    i++;
  }
  return blocks;
}

function skipString(css: string, at: number): number {
  const quote = css[at];
  let i = at + 1;
  while (i < css.length && css[i] !== quote) i += css[i] === '\\' ? 2 : 1;
  return i + 1;
}

function matchingBrace(css: string, open: number): number {
  let depth = 0;
  for (let i = open; i < css.length; i++) {
    const ch = css[i];
    if (ch === '/' && css[i + 1] === '*') {
      // Comments may hold quotes or braces ("don't"), which are not code.
      const end = css.indexOf('*/', i + 2);
      i = end === -1 ? css.length : end + 1;
    } else if (ch === '"' || ch === "'") {
      i = skipString(css, i) - 1;
    } else if (ch === '{') {
      depth++;
    } else if (ch === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return css.length - 1;
}

function splitSelectors(prelude: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < prelude.length; i++) {
    const ch = prelude[i];
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(prelude.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(prelude.slice(start).trim());
  return out.filter(Boolean);
}

/** Classes a selector needs present; those inside :not()/:is()/:where()/:has() are not required. */
function requiredClasses(selector: string): string[] {
  let s = selector;
  let previous = '';
  while (s !== previous) {
    previous = s;
    s = s.replace(/:(?:not|is|where|has)\([^()]*\)/g, '');
  }
  s = s.replace(/\[[^\]]*\]/g, '');
  return [...s.matchAll(/\.(-?[_a-zA-Z][\w-]*)/g)].map((m) => m[1]!);
}

export interface UsedClasses {
  names: Set<string>;
  prefixes: string[];
}

/** Class names a source mentions: whole `slds-...` tokens, and prefixes of names built at run time. */
export function collectUsedClasses(
  sources: string[],
  extra: { names?: string[]; ignorePrefixes?: RegExp } = {},
): UsedClasses {
  const names = new Set<string>(extra.names);
  const prefixes = new Set<string>();
  for (const source of sources) {
    for (const m of source.matchAll(/slds-[\w-]*[\w]/g)) names.add(m[0]);
    for (const m of source.matchAll(/(slds-[\w-]*[-_])(?:\$\{|['"`]\s*\+)/g)) prefixes.add(m[1]!);
    for (const m of source.matchAll(/class(?:Name)?\s*[:=]\s*["'`]([^"'`]+)["'`]/g)) {
      for (const name of m[1]!.split(/\s+/)) if (/^[\w-]+$/.test(name)) names.add(name);
    }
  }
  return { names, prefixes: [...prefixes].filter((p) => !extra.ignorePrefixes?.test(p)) };
}

function isUsed(name: string, used: UsedClasses): boolean {
  return used.names.has(name) || used.prefixes.some((p) => name.startsWith(p));
}

function pruneBlocks(blocks: Block[], used: UsedClasses): string {
  let out = '';
  for (const { prelude, body } of blocks) {
    if (body === null) {
      out += `${prelude};`;
      continue;
    }
    if (prelude.startsWith('@')) {
      if (/^@(media|supports|layer|container)\b/.test(prelude)) {
        const inner = pruneBlocks(parseBlocks(body), used);
        if (inner) out += `${prelude}{${inner}}`;
      } else {
        out += `${prelude}{${body}}`;
      }
      continue;
    }
    const kept = splitSelectors(prelude).filter((selector) =>
      requiredClasses(selector).every((c) => isUsed(c, used)),
    );
    if (kept.length > 0) out += `${kept.join(',')}{${body.trim()}}`;
  }
  return out;
}

export function pruneCss(css: string, used: UsedClasses): string {
  return pruneBlocks(parseBlocks(css), used);
}
