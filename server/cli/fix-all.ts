/** The headless `repair-ls fix-all` client; implemented with the surfacing work. */
export function runFixAll(_args: readonly string[]): Promise<number> {
  process.stderr.write("repair-ls: fix-all is not available in this build\n");
  return Promise.resolve(2);
}
