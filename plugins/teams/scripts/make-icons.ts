import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng, type Rgba } from './png';

/**
 * Draws the two Teams icons: color.png 192×192 (a handoff arrow on the accent colour) and outline.png
 * 32×32 (the same mark in white on transparent, as Teams requires for the outline icon).
 * Run once: node_modules/.bin/tsx plugins/teams/scripts/make-icons.ts
 */

const ACCENT: Rgba = [0x1f, 0x6f, 0xeb, 0xff];
const WHITE: Rgba = [0xff, 0xff, 0xff, 0xff];
const CLEAR: Rgba = [0, 0, 0, 0];

/** The mark in unit coordinates (0..1): an "H" whose crossbar is an arrow pointing right. */
function inMark(u: number, v: number): boolean {
  const leftBar = u >= 0.2 && u <= 0.34 && v >= 0.2 && v <= 0.8;
  const rightBar = u >= 0.66 && u <= 0.8 && v >= 0.2 && v <= 0.8;
  const shaft = u >= 0.34 && u <= 0.56 && v >= 0.44 && v <= 0.56;
  const head = u >= 0.52 && u <= 0.66 && Math.abs(v - 0.5) <= (0.66 - u) * 1.1;
  return leftBar || rightBar || shaft || head;
}

function draw(size: number, fg: Rgba, bg: Rgba): Buffer {
  return encodePng(size, size, (x, y) => (inMark((x + 0.5) / size, (y + 0.5) / size) ? fg : bg));
}

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'appPackage');
writeFileSync(join(dir, 'color.png'), draw(192, WHITE, ACCENT));
writeFileSync(join(dir, 'outline.png'), draw(32, WHITE, CLEAR));
console.log(`icons written to ${dir}`);
