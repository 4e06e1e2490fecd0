// Where the wallboard's files are, for tests with and without a browser.
import path from "node:path";
import { fileURLToPath } from "node:url";

/** web/page/, the wallboard's files. */
export const PAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../web/page");
