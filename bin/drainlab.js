#!/usr/bin/env node
// Entry point: registers tsx so the TypeScript sources run as they are (Node 20 has no type
// stripping), then hands over to the CLI. Worker threads get the same loader via execArgv.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
