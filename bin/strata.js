#!/usr/bin/env node
// Entry point for `npx strata`: runs the TypeScript CLI through tsx, with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../pipeline/cli.ts');
