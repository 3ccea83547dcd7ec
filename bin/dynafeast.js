#!/usr/bin/env node
// The SDK warns on Node 20 that releases after January 2027 need Node 22; dynafeast pins its SDK
// version in package-lock.json, so the warning is noise on every command. Users can still opt in.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { main } = await import('../dist/cli/main.js');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`dynafeast: unexpected failure: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
