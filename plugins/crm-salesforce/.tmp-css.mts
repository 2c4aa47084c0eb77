import { readFileSync } from 'node:fs';
const css = readFileSync('node_modules/@salesforce-ux/design-system/assets/styles/salesforce-lightning-design-system.min.css', 'utf8');
const i = css.indexOf('.slds-card__body_inner,.slds-tabs_card .slds-card_boundary');
// find where the previous rule body started per naive scan, and show 300 chars before
const prevOpen = css.lastIndexOf('{', i);
const prevClose = css.lastIndexOf('}', i);
console.log({ i, prevOpen, prevClose });
console.log(JSON.stringify(css.slice(prevClose - 200, i + 100)));
// look for the at-rule context: count braces ignoring comments/strings
let depth = 0; const stack: number[] = [];
for (let k = 0; k < i; k++) {
  const c = css[k];
  if (c === '/' && css[k + 1] === '*') { k = css.indexOf('*/', k + 2) + 1; continue; }
  if (c === '{') stack.push(k); else if (c === '}') stack.pop();
}
console.log('depth', stack.length, stack.map((o) => JSON.stringify(css.slice(Math.max(css.lastIndexOf('}', o), css.lastIndexOf(';', o)) + 1, o))));
