/** One `mla` sub-command. Each lives in its own file under `cli/commands/`. */
export interface Command {
    /** The word after `mla`, or `render <what>` for render targets. */
    readonly name: string;
    /** One line for `mla --help`. */
    readonly summary: string;
    /** The full usage text printed by `mla <name> --help`. */
    readonly usage: string;
    /** Runs the command; resolves to the process exit code. */
    run(args: string[], io: CommandIo): Promise<number>;
}

/** Where a command writes; injected so tests can capture it. */
export interface CommandIo {
    out(text: string): void;
    err(text: string): void;
}

/** A usage mistake: the CLI prints the message and the command's usage, and exits 2. */
export class UsageError extends Error {}
