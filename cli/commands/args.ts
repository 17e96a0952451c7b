/** Argument parsing and output helpers shared by the sub-commands. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./command";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** `util.parseArgs` in strict mode, with its errors turned into usage errors. */
export function parseFlags<O extends Options>(args: string[], options: O) {
    try {
        return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
}

/** Returns the flag's value, or throws a usage error naming the missing flag. */
export function requireFlag(value: string | undefined, flag: string): string {
    if (value === undefined || value === "") throw new UsageError(`--${flag} is required`);
    return value;
}

/** Parses an integer flag; `undefined` stays undefined. */
export function intFlag(value: string | undefined, flag: string): number | undefined {
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} must be a whole number, got "${value}"`);
    return Number(value);
}

/** Writes `files` (name to content) into `dir`, creating it; returns the paths written. */
export function writeFiles(dir: string, files: Record<string, string>): string[] {
    mkdirSync(dir, { recursive: true });
    return Object.entries(files).map(([name, content]) => {
        const path = join(dir, name);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, content);
        return path;
    });
}
