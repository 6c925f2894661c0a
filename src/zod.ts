// zod for the whole app, configured once: without JIT. zod's JIT probes `new Function` to see if
// eval is allowed; our Content-Security-Policy forbids eval, so each probe is a CSP violation report
// (caught by zod, but noise that hides real violations in the privacy test).
import { z } from 'zod';

z.config({ jitless: true });

export { z };
