/**
 * The folder a scenario's outputs go to, from its name. A scenario's `name:` is text anyone who
 * can edit the file controls; `name: ../../x` must not become a path. Only letters, digits,
 * `_`, `.` and `-` are kept (others become `-`), leading dots are dropped (no `..`, no hidden
 * folder), and the result is at most 100 characters and never empty.
 */
const MAX_FOLDER_NAME = 100;

export function outputFolderName(name: string): string {
  const safe = name
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/\.{2,}/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, MAX_FOLDER_NAME)
    .replace(/[.]+$/, '');
  return safe === '' ? 'scenario' : safe;
}
