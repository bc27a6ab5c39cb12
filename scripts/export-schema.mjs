// Writes schema/scenario.schema.json from the zod schema (npm run schema).
import { register } from 'tsx/esm/api';
import { writeFileSync } from 'node:fs';

register();
const { scenarioJsonSchema } = await import('../src/scenario/json-schema.ts');
writeFileSync(new URL('../schema/scenario.schema.json', import.meta.url), scenarioJsonSchema());
console.log('wrote schema/scenario.schema.json');
