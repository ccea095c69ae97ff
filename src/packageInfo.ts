import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** package.json of this install (src/ and dist/ are both one level below the root). */
export const packageInfo = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as {
  name: string;
  version: string;
};
