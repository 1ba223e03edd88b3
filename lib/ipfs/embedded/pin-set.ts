import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { CID } from "multiformats/cid";
import { IpfsRepoError } from "../errors";

const TEMP_PREFIX = ".tmp-";

/**
 * Pinned roots, one empty file per CID under `folder`. A file per pin makes adding and removing a
 * pin a single atomic rename/unlink, so a crash cannot leave a half-written pin list behind.
 */
export class PinSet {
  private constructor(readonly folder: string) {}

  /** Opens (creating if needed) the pin folder and checks every entry names a CID. */
  static async open(folder: string, repoPath: string): Promise<PinSet> {
    const pins = new PinSet(folder);
    try {
      await fs.mkdir(folder, { recursive: true });
      for (const name of await fs.readdir(folder)) {
        if (name.startsWith(TEMP_PREFIX)) await fs.rm(path.join(folder, name), { force: true });
        else if (!isCanonicalCid(name)) {
          throw new IpfsRepoError(
            `The IPFS repo folder ${repoPath} is corrupt: ${path.join(folder, name)} does not name a pinned CID. ` +
              "Remove that entry if you put it there; otherwise move the whole folder aside to start an empty store " +
              "(files pinned in it will no longer be served until added again).",
          );
        }
      }
    } catch (error) {
      if (error instanceof IpfsRepoError) throw error;
      throw new IpfsRepoError(
        `The IPFS repo folder ${repoPath} cannot be used: ${(error as Error).message}. ` +
          `Make sure ${folder} is a folder this process can read and write, or point the store at another folder.`,
        { cause: error },
      );
    }
    return pins;
  }

  async add(cid: CID): Promise<void> {
    const temp = path.join(this.folder, `${TEMP_PREFIX}${randomBytes(8).toString("hex")}`);
    await fs.writeFile(temp, "", { flush: true });
    await fs.rename(temp, this.file(cid));
  }

  /** Returns false if the CID was not pinned. */
  async remove(cid: CID): Promise<boolean> {
    try {
      await fs.unlink(this.file(cid));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  }

  async has(cid: CID): Promise<boolean> {
    return fs.access(this.file(cid)).then(
      () => true,
      () => false,
    );
  }

  async list(): Promise<CID[]> {
    const names = await fs.readdir(this.folder);
    return names.filter((name) => !name.startsWith(TEMP_PREFIX)).map((name) => CID.parse(name));
  }

  private file(cid: CID): string {
    return path.join(this.folder, cid.toV1().toString());
  }
}

function isCanonicalCid(name: string): boolean {
  try {
    return CID.parse(name).toV1().toString() === name;
  } catch {
    return false;
  }
}
