// Loaded with `node --import` by tests/cli/startUp.test.ts: appends the URL of every module the process loads, one
// per line, to the file named by STRATA_LOADED_MODULES, so a test can say what `strata --help` loads.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, nextLoad) {
  if (process.env.STRATA_LOADED_MODULES) appendFileSync(process.env.STRATA_LOADED_MODULES, url + '\\n');
  return nextLoad(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
