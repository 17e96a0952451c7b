/** Thrown when a spec or a stack config has one or more problems; the message lists all of them. */
export class ConfigError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`${problems.length} problem${problems.length === 1 ? "" : "s"} in stack config: ${problems.join("; ")}`);
        this.name = "ConfigError";
    }
}
