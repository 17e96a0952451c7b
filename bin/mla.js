#!/usr/bin/env node
// The `mla` command. Sources are TypeScript; ts-node compiles them on the fly (types are checked
// by `npm test`, so start-up only transpiles).
"use strict";
const path = require("path");
require("ts-node").register({
    transpileOnly: true,
    project: path.join(__dirname, "..", "tsconfig.json"),
});
require("../cli/cli")
    .main(process.argv.slice(2))
    .then((code) => {
        process.exitCode = code;
    })
    .catch((err) => {
        process.stderr.write(`mla: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
    });
