/** The one error a tenant input check throws: it lists every problem found, not just the first. */
export class TenantConfigError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(
            `${problems.length} problem${problems.length === 1 ? "" : "s"} in tenant config:\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "TenantConfigError";
    }
}

/** Throws a {@link TenantConfigError} when `problems` is not empty. */
export function throwIfProblems(problems: readonly string[]): void {
    if (problems.length > 0) throw new TenantConfigError(problems);
}
