/**
 * Our settings merged into a user's own config file, everything else kept: JSON by key, YAML through its document
 * model (comments and order survive), TOML as a marked block plus top-level keys (re-parsed before it is accepted).
 * A file that does not parse is refused, never rewritten. Pure.
 */
import { parse as parseToml } from 'smol-toml';
import { isMap, isSeq, parseDocument } from 'yaml';
import { DevstralError } from '../errors.js';

function unreadable(path: string, format: string, reason: string): DevstralError {
  return new DevstralError('usage', `${path} is not valid ${format} (${reason}); devstral did not change it`, { hint: 'fix the file, or move it aside and run the command again' });
}

/** Sets `entries` (key paths -> values) in a JSON object file. */
export function mergeJson(path: string, existing: string, entries: [string[], unknown][]): string {
  let doc: unknown;
  try {
    doc = existing.trim() === '' ? {} : JSON.parse(existing);
  } catch (error) {
    throw unreadable(path, 'JSON', (error as Error).message);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw unreadable(path, 'JSON', 'not an object');
  for (const [keys, value] of entries) {
    let node = doc as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      node = (node[key] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {}) as Record<string, unknown>;
    }
    node[keys.at(-1)!] = value;
  }
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Sets top-level keys of a YAML mapping, and (optionally) puts `item` into the list under `list.key`, replacing the entry with the same `list.match` field. */
export function mergeYaml(path: string, existing: string, keys: Record<string, unknown>, list?: { key: string; match: string; item: Record<string, unknown> }): string {
  const doc = parseDocument(existing);
  if (doc.errors.length) throw unreadable(path, 'YAML', doc.errors[0]!.message.split('\n')[0]!);
  if (doc.contents !== null && !isMap(doc.contents)) throw unreadable(path, 'YAML', 'not a mapping');
  for (const [key, value] of Object.entries(keys)) doc.set(key, value);
  if (list) {
    const seq = doc.get(list.key);
    if (seq !== undefined && !isSeq(seq)) throw unreadable(path, 'YAML', `${list.key} is not a list`);
    const items = (seq?.items ?? []) as unknown[];
    const at = items.findIndex((node) => isMap(node) && node.get(list.match) === list.item[list.match]);
    const node = doc.createNode(list.item);
    if (!seq) doc.set(list.key, doc.createNode([list.item]));
    else if (at >= 0) seq.items[at] = node;
    else seq.items.push(node);
  }
  return doc.toString();
}

const BEGIN = '# >>> devstral (written by devstral launch --write; replaced on the next write)';
const END = '# <<< devstral';

/**
 * A TOML file with our top-level keys set and our tables in one marked block at the end (a previous block replaced).
 * Top-level keys must come before the first table, so they are set in place or added at the top.
 */
export function mergeToml(path: string, existing: string, topLevel: Record<string, string | number>, block: string): string {
  try {
    parseToml(existing);
  } catch (error) {
    throw unreadable(path, 'TOML', (error as Error).message.split('\n')[0]!);
  }
  let text = existing.replace(new RegExp(`\\n?${escape(BEGIN)}[\\s\\S]*?${escape(END)}\\n?`), '\n');
  const firstTable = text.search(/^\s*\[/m);
  let head = firstTable < 0 ? text : text.slice(0, firstTable);
  const tail = firstTable < 0 ? '' : text.slice(firstTable);
  for (const [key, value] of Object.entries(topLevel)) {
    const line = `${key} = ${JSON.stringify(value)}`;
    const pattern = new RegExp(`^${escape(key)}\\s*=.*$`, 'm');
    head = pattern.test(head) ? head.replace(pattern, line) : `${line}\n${head}`;
  }
  text = `${head}${tail}`.replace(/\n*$/, '\n');
  const merged = `${text}\n${BEGIN}\n${block.trim()}\n${END}\n`;
  parseToml(merged);
  return merged;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
