#!/usr/bin/env node
// Stands in for a command a later issue builds, and says so: it never pretends to work.
const name = process.argv[2] ?? 'this command';
console.error(`npm run ${name}: not yet built (see the issues tracker). Nothing was done.`);
process.exit(1);
