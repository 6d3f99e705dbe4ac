/**
 * The files git considers changed since a base revision: `git diff --name-only BASE` (working tree), the staged
 * changes (`git diff --cached`), and untracked files that are not ignored (`git ls-files --others
 * --exclude-standard`). Runs the git CLI with execFile: arguments are never seen by a shell. Shared by the CLI
 * (`check --changed`) and the language server ("Check changed files").
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";

export class GitError extends Error {}

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      // GIT_OPTIONAL_LOCKS=0: a background check never takes the index lock from the user's own git commands.
      { cwd, maxBuffer: 256 * 1024 * 1024, windowsHide: true, env: { ...process.env, GIT_OPTIONAL_LOCKS: "0" } },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === "ENOENT") reject(new GitError("git is not installed or not on PATH"));
          else reject(new GitError(String(stderr).trim().split("\n")[0] || error.message));
        } else resolve(String(stdout));
      },
    );
  });
}

const names = (out: string) => out.split("\0").filter(Boolean);

export interface ChangedFiles {
  /** The repository's top folder. */
  top: string;
  /** Absolute paths of changed files that exist (deleted files are left out), sorted. */
  files: string[];
}

/**
 * Changed files of the repository that contains `dir`, since `base` (default HEAD). With `ext` (e.g. ".py") only
 * files ending so. A repository without commits yet counts every file in the index as changed.
 */
export async function changedFiles(dir: string, base = "HEAD", ext?: string): Promise<ChangedFiles> {
  if (!base || base.startsWith("-")) throw new GitError(`not a revision: ${JSON.stringify(base)}`);
  let top: string;
  try {
    top = (await git(dir, ["rev-parse", "--show-toplevel"])).trim();
  } catch (e) {
    if (e instanceof GitError && /not installed/.test(e.message)) throw e;
    throw new GitError(`${dir} is not inside a git repository`);
  }
  if (!top) throw new GitError(`${dir} is not inside a git repository`);
  let hasBase = true;
  try {
    await git(top, ["rev-parse", "--verify", "--quiet", `${base}^{commit}`]);
  } catch {
    hasBase = false;
  }
  const lists: Promise<string>[] = [git(top, ["ls-files", "--others", "--exclude-standard", "-z"])];
  if (hasBase) {
    lists.push(git(top, ["diff", "--name-only", "--no-renames", "-z", base, "--"]));
    lists.push(git(top, ["diff", "--cached", "--name-only", "--no-renames", "-z", base, "--"]));
  } else if (base === "HEAD") {
    // No commit yet: everything staged is new.
    lists.push(git(top, ["ls-files", "--cached", "-z"]));
  } else throw new GitError(`unknown revision ${JSON.stringify(base)}`);
  const all = new Set<string>();
  for (const out of await Promise.all(lists)) for (const n of names(out)) all.add(n);
  const files: string[] = [];
  for (const n of all) {
    if (ext && !n.endsWith(ext)) continue;
    const full = path.join(top, ...n.split("/"));
    try {
      if (fs.statSync(full).isFile()) files.push(full);
    } catch {
      // deleted: nothing to check
    }
  }
  files.sort();
  return { top, files };
}
