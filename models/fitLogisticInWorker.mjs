// Worker entry for fitLogisticInWorker.ts. Workers do not inherit the main thread's TypeScript loader
// (bin/strata.js registers tsx), so this plain module registers it before loading the fit.
import { register } from 'tsx/esm/api';

register();
await import('./fitLogisticInWorker.ts');
