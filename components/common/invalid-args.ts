/**
 * The one way components reject their args: every problem at once, in one `ResourceError`
 * that names the component, before anything is created.
 */
import * as pulumi from "@pulumi/pulumi";

/** Throws when `problems` is not empty: `invalid <Type> "<name>": N problems:` and one line each. */
export function rejectInvalidArgs(
    resource: pulumi.Resource,
    type: string,
    name: string,
    problems: readonly string[],
): void {
    if (problems.length === 0) return;
    const count = `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
    throw new pulumi.ResourceError(`invalid ${type} "${name}": ${count}:\n  - ${problems.join("\n  - ")}`, resource);
}
