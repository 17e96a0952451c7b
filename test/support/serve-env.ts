/** The environment of a real `mla serve` started by a test: its own home, data dir and port, the in-memory executor. */
import { join } from "node:path";

/** `mla serve`'s environment for a test: home `dir`, data in `dir/data`, listening on 127.0.0.1:`port`. */
export function serveEnv(dir: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
        HOME: dir,
        PATH: process.env.PATH,
        MLA_LISTEN: `127.0.0.1:${port}`,
        MLA_DATA_DIR: join(dir, "data"),
        MLA_EXECUTOR: "memory",
        MLA_LOG_LEVEL: "warn",
        ...extra,
    };
}
