/**
 * The one place Automation API errors are classified. The codes map to HTTP statuses in
 * `errors.ts` (`StackNotFoundError` → 404, `StackAlreadyExistsError`/`ConcurrentUpdateError` → 409).
 * The Automation API classifies by matching the CLI's stderr, so this matches its classes, and
 * keeps only the CLI's `error:` lines as the message (the full text echoes stdout).
 */
import {
    CommandError,
    ConcurrentUpdateError,
    StackAlreadyExistsError,
    StackNotFoundError,
} from "@pulumi/pulumi/automation";
import { ExecutorError } from "../executor";

/** What to tell an operator whose machine has no Pulumi CLI. */
export const INSTALL_PULUMI =
    "the Pulumi CLI (`pulumi`) is not on PATH: install it with `curl -fsSL https://get.pulumi.com | sh` " +
    "(see https://www.pulumi.com/docs/iac/download-install/) and put ~/.pulumi/bin on the service's PATH";

const MAX_MESSAGE = 2000;

/** The CLI's `error:` lines, or the message's last lines. */
function essence(text: string): string {
    const lines = text
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "");
    const errors = lines.filter((l) => /^error:/i.test(l));
    return (errors.length > 0 ? errors : lines.slice(-5)).join("\n").slice(0, MAX_MESSAGE);
}

/** Converts anything an Automation API call threw into an {@link ExecutorError}. */
export function classifyEngineError(error: unknown): ExecutorError {
    if (error instanceof ExecutorError) return error;
    const text = error instanceof Error ? error.message : String(error);
    if (error instanceof StackNotFoundError) return new ExecutorError("stack-not-found", essence(text));
    if (error instanceof StackAlreadyExistsError) return new ExecutorError("stack-exists", essence(text));
    if (error instanceof ConcurrentUpdateError) {
        return new ExecutorError(
            "concurrent-update",
            `the stack is locked by another update; if none runs, the lock is stale (pulumi cancel). ${essence(text)}`,
        );
    }
    if (/ENOENT/.test(text) && /pulumi/.test(text)) return new ExecutorError("cli-missing", INSTALL_PULUMI);
    if (error instanceof CommandError) return new ExecutorError("engine-failed", essence(text));
    return new ExecutorError("engine-failed", essence(text));
}
