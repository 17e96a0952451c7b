/** Locating the real binaries the agent tests run; a missing one fails with the package to install. */
import { execFileSync } from "node:child_process";

/** The absolute path of `name` on PATH; throws naming the Debian package when it is missing. */
export function requireBinary(name: string, debianPackage: string): string {
    try {
        return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
    } catch {
        throw new Error(
            `${name} not found on PATH; install the Debian package "${debianPackage}" (apt-get install ${debianPackage})`,
        );
    }
}
