/**
 * Options for every `yaml` read of text from a request, a stored spec or an operator's file (the
 * CLI's `render` commands): warnings off. `yaml` reports some things it reads by
 * `process.emitWarning`, and the warning quotes the document: a mapping key that is itself a
 * collection ("Keys with collection values will be stringified", `? {token: …}: x`) is written
 * to stderr whole, with whatever secret it holds, on every read. Errors still reach `doc.errors`
 * (or throw from `parse`); only the warnings are dropped.
 */
export const QUIET_YAML = { logLevel: "error" } as const;
