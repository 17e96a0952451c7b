/**
 * The `mla` command line: dispatches to the sub-commands in `cli/commands/`.
 */
import { commands } from "./commands";
import { type Command, type CommandIo, UsageError } from "./commands/command";

const stdio: CommandIo = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
};

/** The top-level usage text, built from the registered commands. */
export function usage(): string {
    const width = Math.max(...commands.map((c) => c.name.length), 8);
    const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
    return [
        "Usage: mla <command> [options]",
        "",
        "User Cluster Monitoring, Logging and Alerting on Pulumi.",
        "",
        "Commands:",
        ...lines,
        "",
        "Run `mla <command> --help` for a command's options.",
        "",
    ].join("\n");
}

/** Finds the command whose (possibly two-word) name prefixes argv. */
function resolve(argv: string[]): { command: Command; rest: string[] } | undefined {
    for (const words of [2, 1]) {
        const name = argv.slice(0, words).join(" ");
        const command = commands.find((c) => c.name === name);
        if (command) return { command, rest: argv.slice(words) };
    }
    return undefined;
}

/** Runs `mla` with the given arguments; resolves to the exit code. */
export async function main(argv: string[], io: CommandIo = stdio): Promise<number> {
    if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
        io.out(usage());
        return argv.length === 0 ? 2 : 0;
    }
    const found = resolve(argv);
    if (!found) {
        const group = commands.filter((c) => c.name.startsWith(`${argv[0]} `)).map((c) => c.name);
        const hint = group.length > 0 ? `one of: ${group.join(", ")}` : "see `mla --help`";
        io.err(`mla: unknown command "${argv.slice(0, 2).join(" ")}"; ${hint}\n`);
        return 2;
    }
    const { command, rest } = found;
    if (rest.includes("--help") || rest.includes("-h")) {
        io.out(command.usage);
        return 0;
    }
    try {
        return await command.run(rest, io);
    } catch (e) {
        if (e instanceof UsageError) {
            io.err(`mla ${command.name}: ${e.message}\n\n${command.usage}`);
            return 2;
        }
        throw e;
    }
}
