/** The scenario format as JSON Schema (draft 2020-12), generated from the zod schema. */
import { z } from 'zod';
import { scenarioSchema } from './schema.ts';

export function scenarioJsonSchema(): string {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' });
  return JSON.stringify({ ...schema, $id: 'https://drainlab.invalid/schema/scenario.schema.json', title: 'drainlab scenario (docs/scenario-format.md)' }, null, 2) + '\n';
}
