/**
 * Prometheus duration checks for tenant inputs. The syntax itself lives in `stacks/validation.ts`
 * (shared with the cluster spec checks and the HTTP body schema); validated here so a typo fails
 * before anything is created, not when a backend reloads its config.
 */
import { parseDuration } from "../validation";

export { parseDuration };

/** Returns a problem message for `what` if `text` is not a Prometheus duration, else undefined. */
export function durationProblem(what: string, text: unknown): string | undefined {
    if (parseDuration(text) === undefined) {
        return `${what} must be a duration such as "5m" or "168h", got ${JSON.stringify(text)}`;
    }
    return undefined;
}
