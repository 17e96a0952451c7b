/**
 * The seeds' API addresses as the service reaches them, set by its operator (`MLA_SEED_API_FILE`):
 * a JSON object from seed stack name to `{ grafanaUrl?, cortexPurgerUrl?, lokiDeleteUrl? }`
 * (`SeedApiUrls`), read once at boot; a seed it does not name uses its stack's outputs, the
 * in-cluster addresses. Requests never carry these: Grafana's URL is where the seed's Grafana
 * admin login goes, the purge URLs where a destroy's deletion requests go.
 */
import { readFileSync, statSync } from "node:fs";
import { SeedApiUrls, StackName } from "../spec/cluster-spec";
import { schemaProblems } from "../spec/schema-problems";

/** The largest file read: a few hundred seeds' addresses. */
const MAX_BYTES = 256 * 1024;

/** Every problem of a parsed file, each naming the seed and field. */
export function seedApiProblems(value: unknown): string[] {
    if (value === null || typeof value !== "object" || Array.isArray(value))
        return ["must be a JSON object from seed stack name to its API addresses"];
    return Object.entries(value as Record<string, unknown>).flatMap(([seed, urls]) => [
        ...schemaProblems(StackName, seed).map((p) => `${JSON.stringify(seed)} ${p.message}`),
        ...schemaProblems(SeedApiUrls, urls).map((p) => `${seed}${p.path ? `.${p.path}` : ""} ${p.message}`),
    ]);
}

/** Reads and checks `path`; throws one error listing every problem. */
export function readSeedApis(path: string): Record<string, SeedApiUrls> {
    const fail = (problems: string[]) =>
        new Error(`MLA_SEED_API_FILE ${path}: ${problems.length} problem(s): ${problems.join("; ")}`);
    const size = statSync(path).size;
    if (size > MAX_BYTES) throw fail([`is ${size} bytes, more than ${MAX_BYTES}`]);
    let value: unknown;
    try {
        value = JSON.parse(readFileSync(path, "utf8"));
    } catch (e) {
        throw fail([`is not valid JSON (${(e as Error).message})`]);
    }
    const problems = seedApiProblems(value);
    if (problems.length > 0) throw fail(problems);
    return value as Record<string, SeedApiUrls>;
}
