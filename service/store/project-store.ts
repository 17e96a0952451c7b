/**
 * What the service remembers per project: its explicit Grafana org members, and the project
 * stacks (one per seed) it has applied, with the hash of the spec applied and the org id.
 *
 * One JSON file per project under `<dataDir>/projects/`, written atomically and fsynced off the
 * event loop, one write after the other; each file is read once, then served from memory (the
 * service is the data dir's only writer). Nothing secret: logins, emails and roles (personal
 * data, so the files are mode 0600 like the rest).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { ProjectMember } from "../../spec/project-spec";
import { writeFileAtomicAsync } from "./atomic-file";

/** One applied project stack. */
export interface AppliedProjectStack {
    /** The seed stack the org lives in. */
    seedStack: string;
    /** Hash of the project spec last applied successfully. */
    hash: string;
    /** The org id the stack reported. */
    orgId?: number;
    /**
     * Set while an operation on the stack runs, cleared when it ends. Found set at start-up, it
     * means the service stopped mid-run: the stack may hold a stale lock (cleared before its next run).
     */
    running?: boolean;
}

/** A project as the service keeps it. */
export interface ProjectRecord {
    project: string;
    members: ProjectMember[];
    /** By project stack name. */
    stacks: Record<string, AppliedProjectStack>;
    updatedAt: string;
}

/**
 * A stored record as this version keeps it. Files written before requests lost `seedApi` may hold
 * the Grafana URL a request chose (`stacks.*.grafanaUrl`): it is dropped, never used, and gone from
 * the file at the next write. Grafana's URL is the operator's per seed (`project-service.ts`).
 */
function withoutStoredUrls(text: string): ProjectRecord {
    const record = JSON.parse(text) as ProjectRecord;
    for (const stack of Object.values(record.stacks ?? {})) delete (stack as { grafanaUrl?: unknown }).grafanaUrl;
    return record;
}

/** Project records under `<dataDir>/projects/`. */
export class ProjectStore {
    private readonly dir: string;
    /** Each project read or written so far (undefined: no file). */
    private readonly records = new Map<string, ProjectRecord | undefined>();
    /** The writes, in order. */
    private writes: Promise<unknown> = Promise.resolve();

    constructor(dataDir: string) {
        this.dir = join(dataDir, "projects");
        mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    }

    private path(project: string): string {
        return join(this.dir, `${project}.json`);
    }

    /** Resolves when every write started so far has finished (shutdown waits for it). */
    settled(): Promise<void> {
        return this.writes.then(() => undefined);
    }

    /** Runs `write` after every earlier write. */
    private inOrder(write: () => Promise<void>): Promise<void> {
        const done = this.writes.then(write);
        this.writes = done.catch(() => undefined);
        return done;
    }

    /** The project's record (a copy to change and put); a fresh one (no members, no stacks) when none was stored. */
    get(project: string): ProjectRecord {
        if (!this.records.has(project)) {
            const path = this.path(project);
            this.records.set(project, existsSync(path) ? withoutStoredUrls(readFileSync(path, "utf8")) : undefined);
        }
        const record = this.records.get(project);
        return record
            ? structuredClone(record)
            : { project, members: [], stacks: {}, updatedAt: new Date(0).toISOString() };
    }

    /** Stores the record: `get` sees it at once; resolves once its file is on disk. */
    put(record: ProjectRecord): Promise<void> {
        const stored = { ...record, updatedAt: new Date().toISOString() };
        this.records.set(record.project, structuredClone(stored));
        const text = JSON.stringify(stored);
        return this.inOrder(() => writeFileAtomicAsync(this.path(record.project), text));
    }

    /** Forgets a project that has neither members nor stacks; resolves once its file is gone. */
    removeIfEmpty(project: string): Promise<void> {
        const record = this.get(project);
        if (record.members.length > 0 || Object.keys(record.stacks).length > 0) return Promise.resolve();
        this.records.set(project, undefined);
        return this.inOrder(() => rm(this.path(project), { force: true }));
    }
}
