import { existsSync } from 'node:fs';
import { DevstralError } from '../errors.js';
import type { ProfileCatalog } from './profileCatalog.js';
import type { HardwareFacts } from '../hardware/hardwareFacts.js';

const looksLikeFile = (ref: string) => /[\\/]/.test(ref) || /\.(ya?ml|json)$/i.test(ref) || existsSync(ref);

/** `--hardware ID|FILE`: a built-in hardware profile, or a file in the hardware-facts shape. */
export async function resolveHardware(catalog: ProfileCatalog, ref: string): Promise<HardwareFacts> {
  if (ref.trim() === '') throw new DevstralError('usage', '--hardware needs a hardware profile id or a file path', { hint: 'see `devstral profiles list`' });
  const profile = catalog.hardware.find((h) => h.id === ref.toLowerCase());
  if (profile && !looksLikeFile(ref)) return profile;
  if (looksLikeFile(ref)) {
    const { loadProfileFile } = await import('./loadProfileFile.js');
    return (await loadProfileFile(ref, 'hardware')).profile as HardwareFacts;
  }
  throw new DevstralError('usage', `unknown hardware "${ref}"`, {
    hint: `use a hardware profile id (${catalog.hardware.map((h) => h.id).join(', ')}) or the path of a YAML/JSON file like \`devstral detect --json\` prints`,
  });
}
