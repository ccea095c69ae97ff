// Build step: validate every profile and write dist/profile-catalog.json for the CLI's fast path.
import { writeFileSync } from 'node:fs';
import { CATALOG_FILE, readProfilesDir } from '../dist/profiles/profileCatalog.js';

try {
  const catalog = await readProfilesDir();
  writeFileSync(CATALOG_FILE, JSON.stringify(catalog));
  console.log(`profiles: ${catalog.models.length} models, ${catalog.hardware.length} hardware -> ${CATALOG_FILE}`);
} catch (error) {
  console.error(`profiles: ${error.message}`);
  for (const line of error.details ?? []) console.error(`  ${line}`);
  process.exit(1);
}
