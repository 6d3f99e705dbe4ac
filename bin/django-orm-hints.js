#!/usr/bin/env node
"use strict";
const { main } = require("../dist/cli.js");
main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`django-orm-hints: internal error: ${(e && e.stack) || e}\n`);
    process.exitCode = 2;
  },
);
